package org.lorafleet.orchestrator.data;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The output of {@link DataPipeline#prepare}.
 *
 * @param train training sequences, ordered by index across partitions, persisted
 *              (MEMORY_AND_DISK) and already computed; {@code train.unpersist()} when done
 * @param eval  eval sequences on the driver, index 0..m-1 in file order (empty when there is no eval)
 * @param stats counts of what was read, skipped and produced
 * @param quality what the curation stages did, or null when none ran
 */
public record PreparedData(JavaRDD<TokenSequence> train, List<TokenSequence> eval, DataStats stats,
    org.lorafleet.orchestrator.quality.CurationReport quality) {
}
