/**
 * Job configuration: YAML files read into immutable, validated records.
 *
 * <p>{@link org.lorafleet.orchestrator.config.ConfigLoader} reads a job file (local, or any Hadoop
 * URI through a pluggable reader), applies {@code --set key=value} overrides typed by the
 * {@link org.lorafleet.orchestrator.config.JobSchema schema}, and builds a
 * {@link org.lorafleet.orchestrator.config.JobConfig} with one record per YAML section. Every problem
 * is collected and reported at once in a {@link org.lorafleet.orchestrator.config.ConfigException},
 * each as {@code file:line: key: message}; unknown keys get a "did you mean" suggestion.
 * {@link org.lorafleet.orchestrator.config.ConfigWriter} writes the resolved config back as YAML.
 *
 * <p>A record and its YAML section are one thing ({@link org.lorafleet.orchestrator.config.RecordYaml}):
 * the schema's keys and types, and the writer's output, come from the record components. Adding a key
 * is one component on its section's record (with its {@code @param} line), one line in that record's
 * {@code read} (key, type and default, e.g. {@code n.string("hub_stage_dir", null)}), any check in its
 * constructor, and a row in docs/configuration.md ({@code DocsTest} asks for it).
 *
 * <p>The generic pieces ({@link org.lorafleet.orchestrator.config.LocatedYaml},
 * {@link org.lorafleet.orchestrator.config.Schema}, {@link org.lorafleet.orchestrator.config.ConfigNode},
 * {@link org.lorafleet.orchestrator.config.Problems}, {@link org.lorafleet.orchestrator.config.Overrides})
 * serve other file kinds too, such as sweep files. Keys and defaults are listed in docs/configuration.md.
 */
package org.lorafleet.orchestrator.config;
