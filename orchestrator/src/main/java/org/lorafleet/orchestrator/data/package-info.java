/**
 * The data pipeline on Spark: JSON lines, Parquet and plain-text inputs (local or any Hadoop file
 * system), formats text, completion, alpaca and chat, tokenizing in executors, prompt masking,
 * truncation, packing, eval split, a deterministic seeded shuffle and bad-row handling with
 * {@code file:line} reports. Entry point: {@link org.lorafleet.orchestrator.data.DataPipeline}.
 */
package org.lorafleet.orchestrator.data;
