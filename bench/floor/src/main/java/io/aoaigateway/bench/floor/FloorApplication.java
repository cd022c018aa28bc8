package io.aoaigateway.bench.floor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A bare Spring Cloud Gateway: one route, {@code Path=/openai/**} to {@code floor.backend-url}, with
 * nothing but SCG's own default filters. What the benchmark calls the floor: the cost of the
 * framework the gateway is built on, below which no filter of ours can bring a call.
 */
@SpringBootApplication
public class FloorApplication {

	public static void main(String[] args) {
		SpringApplication.run(FloorApplication.class, args);
	}

}
