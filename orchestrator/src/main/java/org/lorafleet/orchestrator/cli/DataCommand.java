package org.lorafleet.orchestrator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code lorafleet data ...}: the data side of a job on its own. */
@Command(name = "data", mixinStandardHelpOptions = true, subcommands = {DataPrepareCommand.class},
    description = "Work on a job's data without training (see 'lorafleet data prepare --help').",
    footer = {"", "Examples:", "  lorafleet data prepare -c job.yaml --set data.quality.enabled=true --out curated/"})
final class DataCommand implements Runnable {

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Name a data command: prepare.");
  }
}
