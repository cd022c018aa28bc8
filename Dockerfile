# The gateway's image: a layered Spring Boot jar on a Temurin 25 JRE, run as uid/gid 10001.
#
# Build (podman or docker; no BuildKit frontend is fetched, so it builds offline once the
# base images are present locally):
#   podman build -t aoai-gateway .
#   docker build -t aoai-gateway .
# Other base images (a mirror, a pinned digest, a local stand-in) through build arguments:
#   podman build --build-arg BUILD_IMAGE=registry.example.com/eclipse-temurin:25-jdk \
#     --build-arg RUNTIME_IMAGE=registry.example.com/eclipse-temurin:25-jre -t aoai-gateway .
# Run:
#   podman run -p 8080:8080 -v $PWD/config:/config:ro aoai-gateway \
#     --spring.config.additional-location=file:/config/minimal.yaml
# scripts/image-check.sh builds this image and runs it the way the Helm chart does.

# Fully qualified, so that podman does not ask which registry a short name means.
ARG BUILD_IMAGE=docker.io/library/eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=docker.io/library/eclipse-temurin:25-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
# Its own layer: the dependencies are downloaded again only when pom.xml changes.
RUN ./mvnw -B -q dependency:go-offline
COPY src/main src/main
# Tests are neither compiled nor run here (the CI runs them); the test sources are not even
# in the build context (.dockerignore), so the image can only hold what src/main builds.
RUN ./mvnw -B -q -Dmaven.test.skip=true package \
 && java -Djarmode=tools -jar target/aoai-gateway-*.jar extract --layers --launcher --destination /layers

FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid gateway --no-create-home gateway
WORKDIR /app
# Least-changing layers first, so a code change rebuilds only the last one.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER 10001:10001
EXPOSE 8080
# Size the heap from the container's memory limit; die on OOM so Kubernetes restarts the pod.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
