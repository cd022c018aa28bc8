#!/usr/bin/env bash
# Builds the gateway's image with podman and runs it the way the Helm chart runs it
# (src/test/java/io/aoaigateway/image/ImageChartTests.java: uid 10001, read-only root with a
# writable /tmp, the chart's application.yaml at /config, backend keys from the environment,
# the chart's probes, SIGTERM within the grace period, a bad config refused).
#
#   scripts/image-check.sh                  # base images pulled, or stood in where no registry answers
#   scripts/image-check.sh --host-cacerts   # behind a TLS-inspecting proxy (these machines): stood-in
#                                           # bases trust what this host's JDK trusts
#   scripts/image-check.sh --bases standin  # never pull; always the local stand-ins
#
# Prints how long each part took: tools, base-images, build, checks.
#
# Options (most also environment variables):
#   --bases auto|pull|standin  IMAGE_CHECK_BASES (auto). Where the base images come from:
#                              auto uses the real images (docker.io/library/eclipse-temurin, the
#                              Dockerfile's defaults) when present locally or pullable, else stand-ins;
#                              pull insists on the real images; standin never pulls.
#   --host-cacerts             IMAGE_CHECK_HOST_CACERTS=1. Stood-in bases get a real copy of the host
#                              JDK's cacerts (cp -L), so Maven inside the build stage trusts a
#                              TLS-inspecting proxy whose CA the host trusts. Without it they trust
#                              Debian's public CAs only. Real (pulled) bases are never changed.
#   --image NAME               IMAGE_CHECK_IMAGE (localhost/aoai-gateway:ci), the image built and run.
#   --build-only               build the image, skip the checks.
#   IMAGE_CHECK_MIRROR         Debian mirror for debootstrap (default: from this machine's apt sources).
#   IMAGE_CHECK_TEMURIN        the host's Temurin 25 JDK (/usr/lib/jvm/temurin-25-jdk-amd64).
#   IMAGE_CHECK_MAVEN_OFFLINE  1 (default) runs the checks with mvnw -o, as after the CI's own test run.
#   IMAGE_CHECK_PULL_TIMEOUT, _DEBOOTSTRAP_TIMEOUT, _BUILD_TIMEOUT, _CHECK_TIMEOUT
#                              bounds in seconds (300, 600, 1800, 900) on each pull, the debootstrap,
#                              the image build and the checks.
#
# Stand-ins: a Debian bookworm minbase (debootstrap) imported into podman; the JDK stand-in adds
# the host's Temurin 25 at /opt/java/openjdk (where the real images have it), the JRE stand-in a
# runtime that JDK's jlink makes. They are kept in podman's storage under localhost/aoai-gateway-ci/
# and reused, so a second run only rebuilds what changed. They prove the Dockerfile's steps, the
# layering, the user, the entrypoint and the gateway on Temurin 25; not byte-identity with the
# published (Ubuntu-based) images.
#
# Podman here needs the runc runtime and explicit ulimits (docs: containers.md); they are written
# to target/image-check/containers.conf and exported as CONTAINERS_CONF to this script and its
# children (the checks call podman) only. Needs root (apt-get, debootstrap, podman storage).
set -euo pipefail
cd "$(dirname "$0")/.."

BASES=${IMAGE_CHECK_BASES:-auto}
HOST_CACERTS=${IMAGE_CHECK_HOST_CACERTS:-0}
IMAGE=${IMAGE_CHECK_IMAGE:-localhost/aoai-gateway:ci}
BUILD_ONLY=0
TEMURIN=${IMAGE_CHECK_TEMURIN:-/usr/lib/jvm/temurin-25-jdk-amd64}
MAVEN_OFFLINE=${IMAGE_CHECK_MAVEN_OFFLINE:-1}
PULL_TIMEOUT=${IMAGE_CHECK_PULL_TIMEOUT:-300}
DEBOOTSTRAP_TIMEOUT=${IMAGE_CHECK_DEBOOTSTRAP_TIMEOUT:-600}
BUILD_TIMEOUT=${IMAGE_CHECK_BUILD_TIMEOUT:-1800}
CHECK_TIMEOUT=${IMAGE_CHECK_CHECK_TIMEOUT:-900}
SUITE=bookworm

while [[ $# -gt 0 ]]; do
  case $1 in
    --bases) BASES=${2:?--bases needs auto, pull or standin}; shift 2 ;;
    --host-cacerts) HOST_CACERTS=1; shift ;;
    --image) IMAGE=${2:?--image needs a name}; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "image-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $BASES in auto|pull|standin) ;; *) echo "image-check: --bases must be auto, pull or standin" >&2; exit 2 ;; esac

WORK=target/image-check
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# The Dockerfile's defaults are the real base images.
REAL_JDK=$(sed -n 's/^ARG BUILD_IMAGE=//p' Dockerfile)
REAL_JRE=$(sed -n 's/^ARG RUNTIME_IMAGE=//p' Dockerfile)
[[ -n $REAL_JDK && -n $REAL_JRE ]] || { echo "image-check: no ARG BUILD_IMAGE/RUNTIME_IMAGE in Dockerfile" >&2; exit 1; }

# The stand-ins' names say what they trust, so one made for a proxy is never reused without.
CA_TAG=$([[ $HOST_CACERTS == 1 ]] && echo "-hostca" || echo "")
STANDIN_DEBIAN=localhost/aoai-gateway-ci/debian:$SUITE-minbase
STANDIN_JDK=localhost/aoai-gateway-ci/temurin-standin:25-jdk$CA_TAG
STANDIN_JRE=localhost/aoai-gateway-ci/temurin-standin:25-jre$CA_TAG

declare -a TIMINGS=()
PART="" PART_START=0
report() {
  local status=$?
  # A part that failed has no timing yet.
  [[ -z $PART ]] || TIMINGS+=("$(printf '%-12s %4d s (failed)' "$PART" $((SECONDS - PART_START)))")
  if [[ ${#TIMINGS[@]} -gt 0 ]]; then
    echo "image-check: timings"
    printf '  %s\n' "${TIMINGS[@]}"
  fi
  [[ $status -eq 0 ]] || echo "image-check: FAILED (exit $status)" >&2
}
trap report EXIT

# Runs a part and records how long it took. Called plainly (not in a condition), so that
# set -e still stops the part at its first failing command.
timed() {
  PART=$1 PART_START=$SECONDS
  shift
  echo "image-check: $PART"
  "$@"
  TIMINGS+=("$(printf '%-12s %4d s' "$PART" $((SECONDS - PART_START)))")
  PART=""
}

log() { echo "image-check: $*"; }

install_tools() {
  local missing=()
  for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]}"
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq podman runc debootstrap >/dev/null
  fi
  # These machines lack CAP_SYS_RESOURCE (so explicit ulimits) and have a hybrid cgroup
  # layout that crun refuses (so runc). Only this script's podman calls read this file.
  cat >"$WORK/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
  export CONTAINERS_CONF=$WORK/containers.conf
}

# The Debian mirror this machine's apt uses for the release itself (not -security/-updates).
apt_mirror() {
  local mirror
  mirror=$(
    {
      # One-line format: deb [options] URI SUITE COMPONENTS...
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk -v suite="$SUITE" '$1 == "deb" {
          i = 2
          if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
          if ($(i + 1) == suite) print $i
        }'
      # deb822 format: stanzas of Types/URIs/Suites, separated by blank lines.
      for file in /etc/apt/sources.list.d/*.sources; do
        [[ -f $file ]] || continue
        awk -v suite="$SUITE" '
          function flush() {
            if ((" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ") && uri != "") print uri
            types = ""; suites = ""; uri = ""
          }
          /^[ \t]*$/ { flush(); next }
          /^Types:/ { types = $0; sub(/^Types:[ \t]*/, "", types) }
          /^URIs:/ { uri = $2 }
          /^Suites:/ { suites = $0; sub(/^Suites:[ \t]*/, "", suites) }
          END { flush() }' "$file"
      done
    } | head -n 1
  )
  echo "${mirror:-http://deb.debian.org/debian}"
}

# A PKCS12 trust store with the public CAs of a PEM bundle (Debian's ca-certificates).
pem_truststore() {
  local source=$WORK/PemTrustStore.java
  cat >"$source" <<'EOF'
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

class PemTrustStore {

	public static void main(String[] args) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		int index = 0;
		try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
			for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
				store.setCertificateEntry("ca-" + index++, certificate);
			}
		}
		try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
			store.store(out, "changeit".toCharArray());
		}
		System.out.println("image-check: " + index + " public CAs in " + args[1]);
	}

}
EOF
  # Certificates neither encrypted nor MACed, like the JDK's own cacerts: the JVM reads its
  # default trust store without a password, and would find no CA in an encrypted one.
  timeout 120 "$TEMURIN/bin/java" -Dkeystore.pkcs12.certProtectionAlgorithm=NONE -Dkeystore.pkcs12.macAlgorithm=NONE \
    "$source" "$1" "$2"
}

# The trust store both stand-ins carry, written to $WORK/cacerts.
standin_cacerts() {
  if [[ $HOST_CACERTS == 1 ]]; then
    log "stand-ins trust what this host's JDK trusts (--host-cacerts)"
    cp -L "$TEMURIN/lib/security/cacerts" "$WORK/cacerts"
  else
    # Debian's public CA bundle, read out of the stand-in base itself.
    local container
    container=$(timeout 120 podman create "$STANDIN_DEBIAN" /bin/true)
    timeout 120 podman cp "$container:/etc/ssl/certs/ca-certificates.crt" "$WORK/ca-certificates.crt"
    timeout 120 podman rm "$container" >/dev/null
    pem_truststore "$WORK/ca-certificates.crt" "$WORK/cacerts"
  fi
}

standin_debian() {
  if podman image exists "$STANDIN_DEBIAN"; then
    log "reusing $STANDIN_DEBIAN"
    return
  fi
  local rootfs=$WORK/rootfs mirror
  mirror=${IMAGE_CHECK_MIRROR:-$(apt_mirror)}
  log "debootstrap $SUITE (minbase) from $mirror"
  rm -rf "$rootfs"
  timeout "$DEBOOTSTRAP_TIMEOUT" debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$mirror" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar --numeric-owner -C "$rootfs" -c . | timeout 300 podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$STANDIN_DEBIAN" >/dev/null
  rm -rf "$rootfs"
}

# A stand-in: the Debian base plus a Java runtime at /opt/java/openjdk, as in the real images.
standin_java() {
  local name=$1 kind=$2 context=$WORK/standin-$2
  rm -rf "$context" && mkdir -p "$context"
  if [[ $kind == jdk ]]; then
    cp -a "$TEMURIN" "$context/java"
  else
    # A JRE like Temurin's: every module but the development tools.
    local modules
    modules=$("$TEMURIN/bin/java" --list-modules | sed 's/@.*//' |
      grep -Ev '^jdk\.(compiler|javadoc|jlink|jpackage|jshell|jdeps|jartool|jdi|jconsole|jstatd|editpad|hotspot\.agent|internal\.(ed|le|opt|md|vm\.ci)|graal\..*)$' |
      paste -sd, -)
    timeout 300 "$TEMURIN/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
      --output "$context/java"
  fi
  # The host's cacerts is a symlink out of the JDK: the image needs a real file.
  rm -f "$context/java/lib/security/cacerts"
  cp "$WORK/cacerts" "$context/java/lib/security/cacerts"
  local version
  version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$TEMURIN/release")
  cat >"$context/Containerfile" <<EOF
FROM $STANDIN_DEBIAN
COPY java /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \\
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL io.aoaigateway.standin="Debian $SUITE minbase + this host's Temurin $version ($kind)"
EOF
  timeout "$BUILD_TIMEOUT" podman build --pull=never -q -t "$name" -f "$context/Containerfile" "$context" >/dev/null
  rm -rf "$context"
  log "made $name (Temurin $version)"
}

standins() {
  [[ -x $TEMURIN/bin/java ]] || { echo "image-check: no Temurin JDK at $TEMURIN (IMAGE_CHECK_TEMURIN)" >&2; exit 1; }
  if podman image exists "$STANDIN_JDK" && podman image exists "$STANDIN_JRE"; then
    log "reusing $STANDIN_JDK and $STANDIN_JRE"
  else
    standin_debian
    standin_cacerts
    podman image exists "$STANDIN_JDK" || standin_java "$STANDIN_JDK" jdk
    podman image exists "$STANDIN_JRE" || standin_java "$STANDIN_JRE" jre
  fi
  BUILD_IMAGE=$STANDIN_JDK
  RUNTIME_IMAGE=$STANDIN_JRE
}

pull() {
  podman image exists "$1" && return 0
  timeout "$PULL_TIMEOUT" podman pull -q "$1" >/dev/null
}

base_images() {
  if [[ $BASES != standin ]]; then
    if pull "$REAL_JDK" && pull "$REAL_JRE"; then
      BUILD_IMAGE=$REAL_JDK
      RUNTIME_IMAGE=$REAL_JRE
      log "real base images: $REAL_JDK, $REAL_JRE"
      return
    fi
    [[ $BASES == pull ]] && { echo "image-check: could not pull $REAL_JDK and $REAL_JRE (--bases pull)" >&2; exit 1; }
    log "no registry answered; standing the base images in locally"
  fi
  standins
}

build() {
  log "podman build -t $IMAGE (BUILD_IMAGE=$BUILD_IMAGE, RUNTIME_IMAGE=$RUNTIME_IMAGE)"
  if ! timeout "$BUILD_TIMEOUT" podman build --pull=never \
    --build-arg "BUILD_IMAGE=$BUILD_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" -t "$IMAGE" . 2>&1 |
    tee "$WORK/build.log"; then
    if grep -q 'PKIX path building failed' "$WORK/build.log" && [[ $BUILD_IMAGE == "$STANDIN_JDK" ]]; then
      echo "image-check: Maven in the build stage does not trust a TLS-inspecting proxy: try --host-cacerts" >&2
    fi
    return 1
  fi
}

checks() {
  local offline=()
  [[ $MAVEN_OFFLINE == 1 ]] && offline=(-o)
  local report=target/surefire-reports/TEST-io.aoaigateway.image.ImageChartTests.xml
  rm -f "$report"
  # -Dtest overrides the POM's exclusion of this package from the normal test run. No
  # failIfNoSpecifiedTests=false: a renamed class must fail here, not pass with nothing run.
  # Containers a killed earlier run left behind (the tests name theirs so).
  timeout 120 podman ps --all --quiet --filter name=^aoai-image-check- |
    xargs --no-run-if-empty timeout 120 podman rm --force >/dev/null
  if ! timeout "$CHECK_TIMEOUT" ./mvnw -B "${offline[@]}" test -Dtest=ImageChartTests -Djacoco.skip=true \
    "-Daoai.image=$IMAGE"; then
    # The tests log the containers' output on failure; surefire keeps it in a file.
    tail -n 300 target/surefire-reports/io.aoaigateway.image.ImageChartTests-output.txt >&2 || true
    return 1
  fi
  # Skipped tests (no podman, no image) would pass the build; here they must have run.
  grep -q 'skipped="0"' "$report" || { echo "image-check: ImageChartTests skipped tests ($report)" >&2; exit 1; }
}

timed tools install_tools
timed base-images base_images
timed build build
if [[ $BUILD_ONLY == 1 ]]; then
  log "ok: $IMAGE built (checks skipped: --build-only)"
else
  timed checks checks
  log "ok: $IMAGE built and run as the chart runs it"
fi
