# syntax=docker/dockerfile:1
# Build: docker build -t aoai-gateway .
# Run:   docker run -p 8080:8080 -v $PWD/config:/config aoai-gateway \
#          --spring.config.additional-location=file:/config/minimal.yaml

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q -DskipTests package \
 && java -Djarmode=tools -jar target/aoai-gateway-*.jar extract --layers --launcher --destination /layers

FROM eclipse-temurin:25-jre
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
