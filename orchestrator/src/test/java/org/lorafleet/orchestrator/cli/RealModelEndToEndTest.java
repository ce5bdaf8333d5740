package org.lorafleet.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.cli.Outcome.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader;
import org.lorafleet.orchestrator.report.RunReport;
import org.lorafleet.orchestrator.sweep.ChromiumScreenshot;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader.Point;
import org.lorafleet.trainer.testsupport.SharedModels;

/**
 * A real pretrained model end to end through the public command line: llama2.c's stories260K
 * (trained on TinyStories) writes coherent English, a LoRA adapter trained with
 * configs/real-model.yaml on the bundled Debian package descriptions lowers the eval loss by more
 * than 30%, {@code eval} reports the same losses, and generation moves towards the new domain.
 */
@Tag("slow")
class RealModelEndToEndTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  /** Words of package descriptions that children's stories do not use. */
  private static final Set<String> DOMAIN = Set.of("package", "library", "libraries", "python", "files", "file",
      "data", "support", "programs", "program", "module", "modules", "server", "tool", "tools", "version",
      "development", "contains", "provides", "application", "applications", "system", "perl", "linux", "debian",
      "documentation", "interface", "client", "plugin", "source", "software", "java", "gnu");

  @Test
  void pretrainedModelGeneratesEnglishAndLearnsDebianDescriptions(@TempDir Path tmp) throws Exception {
    String model = SharedModels.model("stories260K").toString();

    // Before training: greedy text from "Once upon a time" is llama2.c's own sample (BOS prepended).
    Outcome story = run("generate", "--model", model, "--prompt", "Once upon a time", "--max-new-tokens", "40");
    assertEquals(0, story.code(), story.err());
    assertTrue(story.out().contains("Once upon a time, there was a little girl named Lily. She loved to play"),
        story.out());

    String config = REPO.resolve("configs/real-model.yaml").toString();
    String[] sets = {"--set", "model.path=" + model, "--set", "output.dir=" + tmp.resolve("out"), "--set",
        "train.max_steps=120", "--set", "train.lr=4e-3", "--set", "train.eval_every=60", "--set",
        "checkpoint.every_steps=120", "--set",
        "data.train=" + REPO.resolve("examples/data/debian-descriptions/train.jsonl"), "--set",
        "data.eval=" + REPO.resolve("examples/data/debian-descriptions/eval.jsonl")};
    Outcome train = run(concat(new String[] {"train", "-c", config}, sets));
    assertEquals(0, train.code(), train.err() + train.out());
    JsonNode summary = new ObjectMapper().readTree(tmp.resolve("out/summary.json").toFile());
    double before = summary.get("initial_eval_loss").asDouble();
    double after = summary.get("final_eval_loss").asDouble();
    assertTrue(after <= 0.7 * before, "eval loss " + before + " -> " + after + " fell by less than 30%");

    // TensorBoard events beside metrics.jsonl: a train/loss scalar per logged step, eval/loss per evaluation
    Map<String, List<Point>> tb = TensorBoardEventReader.scalars(tmp.resolve("out/tensorboard"));
    long lossLines = Files.readAllLines(tmp.resolve("out/metrics.jsonl")).stream()
        .filter(l -> l.contains("\"loss\":")).count();
    assertEquals(lossLines, tb.get("train/loss").size(), tb.keySet().toString());
    assertTrue(tb.containsKey("train/lr") && tb.containsKey("train/tokens_per_s"), tb.keySet().toString());
    // each of the 2 workers' throughput, step time and memory over time, sampled every step of 120
    for (int w = 0; w < 2; w++) {
      assertEquals(120, tb.get("worker-" + w + "/step_time_s").size(), tb.keySet().toString());
      List<Point> rss = tb.get("worker-" + w + "/rss_mib");
      assertTrue(rss.size() == 120 && rss.stream().allMatch(p -> p.value() > 50 && p.value() < 64 * 1024), rss.toString());
      assertTrue(tb.get("worker-" + w + "/tokens_per_s").stream().allMatch(p -> p.value() > 0), "worker " + w);
    }
    List<Point> evals = tb.get("eval/loss");
    assertEquals((float) after, evals.get(evals.size() - 1).value());
    assertEquals(120, evals.get(evals.size() - 1).step());

    // report.html: self-contained, the curves drawn (checked in headless Chromium), before/after samples
    Path html = tmp.resolve("out/report.html");
    String report = Files.readString(html);
    assertTrue(!report.contains("<script") && !report.contains("src=") && !report.contains("<link"), "self-contained");
    assertTrue(report.contains("id=\"samples\"") && report.contains("id=\"workers\"")
        && report.contains("id=\"config\"") && report.contains("train_sequences".replace('_', ' ')), "report sections");
    for (String chart : new String[] {"worker-throughput", "worker-memory"}) {
      String svg = report.substring(report.indexOf("id=\"" + chart + "\""));
      svg = svg.substring(0, svg.indexOf("</svg>"));
      for (int w = 0; w < 2; w++) {
        assertTrue(svg.contains("stroke=\"" + org.lorafleet.orchestrator.report.SvgPlot.colorOf(w) + "\""),
            chart + " has no curve of worker " + w);
      }
    }
    JsonNode samples = summary.get("samples");
    assertEquals(3, samples.size(), summary.toPrettyString());
    assertTrue(java.util.stream.StreamSupport.stream(samples.spliterator(), false)
        .anyMatch(x -> !x.get("base").asText().equals(x.get("adapted").asText())), "the adapter changed some text");
    Path png = Path.of("target", "test-artifacts", "run-report.png").toAbsolutePath();
    java.awt.image.BufferedImage shot = ChromiumScreenshot.render(html, png, 1280, 1800);
    for (String color : new String[] {RunReport.TRAIN, RunReport.EVAL, org.lorafleet.orchestrator.report.SvgPlot.colorOf(1)}) {
      int n = ChromiumScreenshot.pixelsOf(shot, color);
      assertTrue(n > 144 + 300, color + " has only " + n + " pixels in " + png + ": a curve is missing");
    }
    Outcome inspect = run("inspect", tmp.resolve("out").toString());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("sample prompt: ") && inspect.out().contains("report.html: ")
        && inspect.out().contains("eval loss ") && inspect.out().contains("worker 0 on "), inspect.out());

    // The eval command reports the same base and adapted losses as the training run.
    Outcome eval = run(concat(new String[] {"eval", "-c", config}, sets));
    assertEquals(0, eval.code(), eval.err());
    assertEquals(before, loss(eval.out(), "base "), 1e-3 * before, eval.out());
    assertEquals(after, loss(eval.out(), "base + adapter "), 1e-3 * after, eval.out());

    // After training the continuation of a package header reads like a package description.
    int baseHits = 0;
    int adaptedHits = 0;
    StringBuilder shown = new StringBuilder();
    for (String pkg : new String[] {"git\nSection: vcs", "python3-yaml\nSection: python", "libssl3\nSection: libs"}) {
      Outcome gen = run("generate", "--model", model, "--adapter", tmp.resolve("out/adapter").toString(), "--prompt",
          "Package: " + pkg + "\nDescription:", "--max-new-tokens", "40");
      assertEquals(0, gen.code(), gen.err());
      String[] parts = gen.out().split("=== with adapter .*\\R");
      assertEquals(2, parts.length, gen.out());
      baseHits += domainWords(parts[0]);
      adaptedHits += domainWords(parts[1]);
      shown.append(gen.out());
    }
    assertTrue(adaptedHits >= 3 && adaptedHits > 2 * baseHits, "domain words base " + baseHits + ", adapted "
        + adaptedHits + ":\n" + shown);
  }

  /**
   * QLoRA's setting: the frozen base quantised to NF4 at load time (no calibration data) and
   * recomputed block by block in backward; the fp32 adapter still learns the new domain.
   */
  @Test
  void nf4QuantisedBaseWithCheckpointingStillLearns(@TempDir Path tmp) throws Exception {
    String model = SharedModels.model("stories260K").toString();
    String config = REPO.resolve("configs/real-model.yaml").toString();
    Outcome train = run("train", "-c", config, "--set", "model.path=" + model, "--set", "model.quantize=nf4",
        "--set", "train.gradient_checkpointing=true", "--set", "output.dir=" + tmp.resolve("out"), "--set",
        "train.max_steps=120", "--set", "train.lr=4e-3", "--set", "train.eval_every=1000", "--set",
        "checkpoint.every_steps=120", "--set",
        "data.train=" + REPO.resolve("examples/data/debian-descriptions/train.jsonl"), "--set",
        "data.eval=" + REPO.resolve("examples/data/debian-descriptions/eval.jsonl"));
    assertEquals(0, train.code(), train.err() + train.out());
    JsonNode summary = new ObjectMapper().readTree(tmp.resolve("out/summary.json").toFile());
    double before = summary.get("initial_eval_loss").asDouble();
    double after = summary.get("final_eval_loss").asDouble();
    assertTrue(after <= 0.75 * before, "nf4 base: eval loss " + before + " -> " + after + " fell by less than 25%");
  }

  private static int domainWords(String text) {
    int hits = 0;
    String continuation = text.substring(text.indexOf("Description:") + "Description:".length());
    Matcher m = Pattern.compile("[A-Za-z]+").matcher(continuation);
    while (m.find()) {
      hits += DOMAIN.contains(m.group().toLowerCase(Locale.ROOT)) ? 1 : 0;
    }
    return hits;
  }

  private static double loss(String out, String prefix) {
    for (String line : out.split("\\R")) {
      if (line.startsWith(prefix) && (!prefix.equals("base ") || !line.startsWith("base + adapter"))) {
        Matcher m = Pattern.compile("loss (\\d+\\.\\d+)").matcher(line);
        if (m.find()) {
          return Double.parseDouble(m.group(1));
        }
      }
    }
    throw new AssertionError("no '" + prefix + "' line in:\n" + out);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
