/** The {@code lorafleet} command line (Picocli): subcommands, config loading, exit codes at the edge. */
package org.lorafleet.orchestrator.cli;
