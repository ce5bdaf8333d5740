/**
 * Data curation as Spark stages, run on the training rows before tokenisation ({@code data.quality}):
 * exact dedup ({@link org.lorafleet.orchestrator.quality.Curation}), near-duplicate removal by MinHash
 * LSH and connected components ({@link org.lorafleet.orchestrator.quality.MinHash},
 * {@link org.lorafleet.orchestrator.quality.NearDuplicates}), Gopher/C4-style heuristic filters
 * ({@link org.lorafleet.orchestrator.quality.HeuristicFilters}), language identification
 * ({@link org.lorafleet.orchestrator.quality.LanguageId}), n-gram decontamination against the eval rows
 * and benchmark files ({@link org.lorafleet.orchestrator.quality.Decontamination}) and PII redaction
 * ({@link org.lorafleet.orchestrator.quality.PiiRedactor}). What each stage did goes into a
 * {@link org.lorafleet.orchestrator.quality.CurationReport} (report.json, report.html, summary.json).
 *
 * <p>The data pipeline ({@code org.lorafleet.orchestrator.data}) turns input rows into
 * {@link org.lorafleet.orchestrator.quality.CurationRow}s and back; this package knows nothing of
 * tokenizers or models.
 */
package org.lorafleet.orchestrator.quality;
