/**
 * Adapter-first checkpoints on any Hadoop file system (file://, hdfs://, …): written to a temporary
 * folder, sealed by a sha256 manifest written last, renamed into place; resumed from the newest
 * folder whose manifest verifies, with corrupt or partial ones reported and skipped.
 */
package org.lorafleet.orchestrator.checkpoint;
