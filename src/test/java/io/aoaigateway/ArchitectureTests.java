package io.aoaigateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules: capabilities without cycles, HTTP exchanges handled only by filters,
 * and the simulator and the local mode kept out of the production code.
 */
class ArchitectureTests {

	private static final JavaClasses MAIN = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.aoaigateway");

	private static final JavaClasses TESTS = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
		.importPackages("io.aoaigateway");

	@Test
	void capabilityPackagesAreFreeOfCycles() {
		slices().matching("io.aoaigateway.(*)..").should().beFreeOfCycles().check(MAIN);
	}

	@Test
	void onlyFiltersHandlersAndSupportTouchTheExchange() {
		noClasses().that()
			.haveSimpleNameNotEndingWith("Filter")
			.and()
			.haveSimpleNameNotEndingWith("GatewayFilterFactory")
			.and()
			.haveSimpleNameNotEndingWith("EntryPoint")
			.and()
			.haveSimpleNameNotEndingWith("ExceptionHandler")
			.and()
			.resideOutsideOfPackage("io.aoaigateway.support..")
			.and()
			.areNotNestedClasses()
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.web.server.ServerWebExchange")
			.check(MAIN);
	}

	@Test
	void eachMemberOfTheCallIsWrittenByItsOwningPackageOnly() {
		onlyCalledFrom("io.aoaigateway.routing.GatewayCall", "place", "io.aoaigateway.affinity..");
		onlyCalledFrom("io.aoaigateway.routing.GatewayCall", "amend", "io.aoaigateway.quota..");
		onlyCalledFrom("io.aoaigateway.routing.GatewayCall", "prioritize", "io.aoaigateway.priority..");
		for (String writer : new String[] { "start", "discard", "waited" }) {
			onlyCalledFrom("io.aoaigateway.routing.Attempts", writer, "io.aoaigateway.resilience..");
		}
	}

	private static void onlyCalledFrom(String owner, String method, String writerPackage) {
		noClasses().that()
			.resideOutsideOfPackage(writerPackage)
			.should()
			.callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(HasName.Predicates.name(owner)))
				.and(JavaCall.Predicates.target(HasName.Predicates.name(method))))
			.because(owner + "." + method + " belongs to " + writerPackage)
			.check(MAIN);
	}

	@Test
	void productionCodeHoldsNoSimulatorAndNoLocalMode() {
		// They live in the test source set: the jar that ships cannot start them
		// (BootJarTests
		// checks the jar itself).
		noClasses().should()
			.resideInAnyPackage("io.aoaigateway.simulator..", "io.aoaigateway.local..")
			.allowEmptyShould(true)
			.check(MAIN);
	}

	@Test
	void simulatorStandsAloneLikeTheAzureItImitates() {
		noClasses().that()
			.resideInAPackage("io.aoaigateway.simulator..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.aoaigateway.routing..", "io.aoaigateway.auth..", "io.aoaigateway.support..",
					"io.aoaigateway.local..")
			.check(TESTS);
	}

	@Test
	void testsNeverUseVerifyCompleteWhichCanBlockForever() {
		noClasses().should()
			.callMethod("reactor.test.StepVerifier$LastStep", "verifyComplete")
			.because("it can block indefinitely; end with verify(Duration)")
			.check(TESTS);
	}

}
