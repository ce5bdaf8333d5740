/**
 * Integration tests on real clusters, run by maven-failsafe after {@code package}: the application jar
 * submitted with {@code SparkSubmit} (as {@code spark-submit} would) to a Spark standalone cluster of
 * separate Master, Worker and executor processes, and to YARN (MiniYARNCluster + MiniDFSCluster).
 */
package org.lorafleet.orchestrator.cluster;
