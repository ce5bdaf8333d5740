package org.lorafleet.orchestrator.cli;

import java.util.List;
import org.lorafleet.orchestrator.config.ConfigException;
import org.lorafleet.orchestrator.data.BadDataException;
import org.lorafleet.orchestrator.train.Versions;
import org.lorafleet.trainer.backend.NativeBuild;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code lorafleet}: the entry point both for the launcher ({@code bin/lorafleet train -c job.yaml})
 * and for {@code spark-submit --class org.lorafleet.orchestrator.cli.Main app.jar train -c job.yaml}.
 * Exit codes: 0 success, 1 the run failed, 2 usage, configuration or input data error.
 */
@Command(name = "lorafleet", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    description = "Fine-tune Hugging Face language models with LoRA adapters on Spark.",
    subcommands = {TrainCommand.class, SweepCommand.class, ValidateCommand.class, DataCommand.class, EvalCommand.class,
        GenerateCommand.class,
        MergeCommand.class, InspectCommand.class, CommandLine.HelpCommand.class,
        picocli.AutoComplete.GenerateCompletion.class},
    footer = {"", "Examples:", "  lorafleet train -c configs/quickstart.yaml",
        "  lorafleet train -c configs/quickstart.yaml --set train.max_steps=20 --set lora.r=4",
        "  lorafleet sweep -c configs/sweep.yaml",
        "  spark-submit --master yarn --deploy-mode cluster lorafleet-app.jar train -c hdfs:///jobs/job.yaml",
        "  source <(lorafleet generate-completion)    # tab completion in bash and zsh"})
public final class Main implements Runnable {

  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "Also show Spark's, Hadoop's and LoRA Fleet's INFO logs (by default only warnings, errors and "
          + "the native backend chosen).")
  void verbose(boolean on) {
    ConsoleLogging.apply(on);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand; try 'lorafleet --help'.");
  }

  /**
   * Runs the command and exits with its code. In YARN cluster mode the driver runs inside the
   * ApplicationMaster, which reports the application's final status only when main returns
   * ({@code System.exit} there makes YARN record a failure even after a successful run), so there
   * this returns on success and throws on failure.
   */
  public static void main(String[] args) {
    ConsoleLogging.apply(false); // --verbose, when given, raises it again while the arguments are parsed
    NativeBuild.select(); // before anything loads ND4J; the executors choose for themselves (BarrierWorker)
    int code = commandLine().execute(args);
    if (!inYarnApplicationMaster()) {
      System.exit(code);
    }
    if (code != 0) {
      throw new IllegalStateException("lorafleet " + (args.length > 0 ? args[0] : "") + " failed with exit code "
          + code + "; the reason is printed above, in the ApplicationMaster's stderr.");
    }
  }

  /** The ApplicationMaster sets these system properties before it starts the driver (YARN cluster mode). */
  static boolean inYarnApplicationMaster() {
    return System.getProperty("spark.yarn.app.id") != null
        && "cluster".equals(System.getProperty("spark.submit.deployMode"));
  }

  /** The configured command line (also used by tests to run commands in-process). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      var err = cmd.getErr();
      boolean input = isInputError(ex);
      err.println((input ? "error: " : "failed: ") + ex.getMessage());
      if (!input) {
        var messages = org.lorafleet.orchestrator.train.Causes.messages(ex);
        messages.subList(1, messages.size()).forEach(m -> err.println("  caused by: " + m)); // down to the root
      }
      if (List.of(parsed.originalArgs()).contains("--stacktrace")) {
        ex.printStackTrace(err);
      } else if (!input) {
        err.println("  (rerun with --stacktrace for the full trace)");
      }
      err.flush();
      return input ? EXIT_USAGE : EXIT_FAILURE;
    });
    return cl;
  }

  /**
   * Whether a failure is the user's input (exit {@value #EXIT_USAGE}, no stack-trace hint): a bad
   * config, bad data rows, or a model, adapter or tokenizer file that is missing or malformed,
   * also when a Spark task found it (then it is the root of the cause chain).
   */
  static boolean isInputError(Throwable ex) {
    if (ex instanceof ConfigException || ex instanceof BadDataException || ex instanceof IllegalArgumentException) {
      return true;
    }
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.lorafleet.trainer.checkpoint.CheckpointException
          || t instanceof org.lorafleet.trainer.safetensors.SafetensorsFormatException
          || t instanceof org.lorafleet.trainer.tokenizer.TokenizerException) {
        return true;
      }
    }
    return false;
  }

  /** Prints the versions that go into every checkpoint. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return Versions.all().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
    }
  }
}
