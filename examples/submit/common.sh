# Sourced by examples/submit-*.sh: finds the application jar, spark-submit and the JVM flags.
#   LORAFLEET_JAR  the application jar (default: orchestrator/target/lorafleet-app.jar; build: mvn package -DskipTests)
#   SPARK_HOME     a Spark 3.5.x (Scala 2.13) installation; without one, the build's stand-in
#                  spark-runtime/target/spark-home (jars only: spark-submit is run as java … SparkSubmit)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${LORAFLEET_JAR:-$root/orchestrator/target/lorafleet-app.jar}
if [ ! -f "$jar" ]; then
  echo "No application jar at $jar: build it with 'mvn -B package -DskipTests' in $root, or set LORAFLEET_JAR." >&2
  exit 2
fi
export SPARK_HOME=${SPARK_HOME:-$root/spark-runtime/target/spark-home}
# libgomp's idle threads must not spin between ND4J ops (read when the native library loads, so it is set
# in the environment: here for a client-mode driver; executors get it from spark.executorEnv).
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0}
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
if [ ! -d "$SPARK_HOME/jars" ]; then
  echo "SPARK_HOME=$SPARK_HOME has no jars/ folder: point SPARK_HOME at a Spark 3.5.x (Scala 2.13) installation." >&2
  exit 2
fi
# The --add-opens set ND4J and Spark need on Java 17 (pom.xml, property lorafleet.jvm.flags).
jvm_flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' "$root/pom.xml")

# spark-submit from SPARK_HOME if it has one; else what it runs: SparkSubmit on Spark's jars (and the Hadoop
# conf dir), with the driver's JVM flags given directly, as spark-submit's launcher would in client mode.
spark_submit() {
  if [ -x "$SPARK_HOME/bin/spark-submit" ]; then
    "$SPARK_HOME/bin/spark-submit" --driver-java-options "$jvm_flags" "$@"
  else
    local cp="$SPARK_HOME/jars/*"
    [ -n "${HADOOP_CONF_DIR:-}" ] && cp="$HADOOP_CONF_DIR:$cp"
    # shellcheck disable=SC2086  # flags are a space-separated list by design
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx${LORAFLEET_DRIVER_MEMORY:-2g} $jvm_flags -cp "$cp" \
      org.apache.spark.deploy.SparkSubmit "$@"
  fi
}
