package org.lorafleet.ps.rpc;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.rpc.proto.ArrayKind;
import org.lorafleet.ps.rpc.proto.SnapshotHeader;
import org.lorafleet.ps.rpc.proto.SnapshotMessage;
import org.lorafleet.ps.rpc.proto.TensorChunk;
import org.lorafleet.ps.rpc.proto.WorkerProgressMessage;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.snapshot.WorkerProgress;

/**
 * A {@link ServerSnapshot} as a stream of messages (header, then chunks of weights, first and
 * second moments) and back. Used by both the Snapshot and the Restore call.
 */
public final class SnapshotMapping {

  private SnapshotMapping() {}

  /** Header first, then chunks, produced lazily. */
  public static Iterator<SnapshotMessage> messages(ServerSnapshot s, int chunkBytes) {
    SnapshotHeader.Builder h = SnapshotHeader.newBuilder().setJobId(s.jobId()).setMode(s.mode().name())
        .setVersion(s.version()).setOptimizerStep(s.optimizer().step()).setTakenAtMillis(s.takenAtMillis());
    s.weights().forEach((k, t) -> h.addWeights(ProtoMapping.toProto(TensorSpec.of(k, t))));
    s.optimizer().firstMoment().keySet().forEach(h::addOptimizerNames);
    s.workers().values().forEach(w -> h.addWorkers(WorkerProgressMessage.newBuilder().setWorkerId(w.workerId())
        .setLastAppliedStep(w.lastAppliedStep()).setLastPushedStep(w.lastPushedStep())));
    if (s.lastOutcome() != null) {
      h.setLastOutcome(ProtoMapping.toProto(s.lastOutcome())).setHasOutcome(true);
    }
    Map<String, FloatTensor> m1 = new LinkedHashMap<>();
    Map<String, FloatTensor> m2 = new LinkedHashMap<>();
    s.optimizer().firstMoment().forEach((k, a) -> m1.put(k, new FloatTensor(s.weights().get(k).shape(), a)));
    s.optimizer().secondMoment().forEach((k, a) -> m2.put(k, new FloatTensor(s.weights().get(k).shape(), a)));
    List<Iterator<TensorChunk>> parts = List.of(TensorCodec.chunks(s.weights(), chunkBytes, ArrayKind.WEIGHT),
        TensorCodec.chunks(m1, chunkBytes, ArrayKind.FIRST_MOMENT),
        TensorCodec.chunks(m2, chunkBytes, ArrayKind.SECOND_MOMENT));
    SnapshotMessage header = SnapshotMessage.newBuilder().setHeader(h).build();
    return new Iterator<>() {
      boolean headerSent;
      int part;

      @Override
      public boolean hasNext() {
        while (headerSent && part < parts.size() && !parts.get(part).hasNext()) {
          part++;
        }
        return !headerSent || part < parts.size();
      }

      @Override
      public SnapshotMessage next() {
        if (!headerSent) {
          headerSent = true;
          return header;
        }
        hasNext();
        return SnapshotMessage.newBuilder().setChunk(parts.get(part).next()).build();
      }
    };
  }

  /** Collects a snapshot stream; {@link #finish} builds the snapshot. Not thread-safe. */
  public static final class Collector {
    private SnapshotHeader header;
    private TensorAssembler weights;
    private TensorAssembler first;
    private TensorAssembler second;

    public void accept(SnapshotMessage m) {
      if (m.hasHeader()) {
        if (header != null) {
          throw new PsException(Refusal.MALFORMED, "A snapshot stream carries two headers.");
        }
        header = m.getHeader();
        Map<String, TensorSpec> ws = new LinkedHashMap<>();
        header.getWeightsList().forEach(t -> ws.put(t.getName(), ProtoMapping.fromProto(t)));
        Map<String, TensorSpec> os = new LinkedHashMap<>();
        for (String n : header.getOptimizerNamesList()) {
          if (!ws.containsKey(n)) {
            throw new PsException(Refusal.UNKNOWN_TENSOR, "The snapshot's optimizer state names '" + n
                + "', which is not one of its weights.");
          }
          os.put(n, ws.get(n));
        }
        weights = new TensorAssembler(ws, "snapshot's weights");
        first = new TensorAssembler(os, "snapshot's first moments");
        second = new TensorAssembler(os, "snapshot's second moments");
        return;
      }
      if (header == null) {
        throw new PsException(Refusal.MALFORMED, "A snapshot stream must start with its header.");
      }
      TensorChunk c = m.getChunk();
      switch (c.getKind()) {
        case WEIGHT -> weights.accept(c);
        case FIRST_MOMENT -> first.accept(c);
        case SECOND_MOMENT -> second.accept(c);
        default -> throw new PsException(Refusal.MALFORMED, "Unknown array kind " + c.getKindValue() + " in a snapshot.");
      }
    }

    public long bytes() {
      return weights == null ? 0 : weights.bytes() + first.bytes() + second.bytes();
    }

    public ServerSnapshot finish() {
      if (header == null) {
        throw new PsException(Refusal.MALFORMED, "The snapshot stream was empty.");
      }
      Map<String, FloatTensor> w = weights.finish(true);
      Map<String, float[]> m1 = new LinkedHashMap<>();
      Map<String, float[]> m2 = new LinkedHashMap<>();
      first.finish(true).forEach((k, t) -> m1.put(k, t.data()));
      second.finish(true).forEach((k, t) -> m2.put(k, t.data()));
      Map<String, WorkerProgress> progress = new LinkedHashMap<>();
      List<WorkerProgressMessage> ws = new ArrayList<>(header.getWorkersList());
      ws.forEach(p -> progress.put(p.getWorkerId(),
          new WorkerProgress(p.getWorkerId(), p.getLastAppliedStep(), p.getLastPushedStep())));
      try {
        return new ServerSnapshot(header.getJobId(), UpdateMode.valueOf(header.getMode()), header.getVersion(), w,
            new AdamW.State(header.getOptimizerStep(), m1, m2), progress,
            header.getHasOutcome() ? ProtoMapping.fromProto(header.getLastOutcome()) : null, header.getTakenAtMillis());
      } catch (IllegalArgumentException e) {
        throw new PsException(Refusal.MALFORMED, "The snapshot stream is inconsistent: " + e.getMessage());
      }
    }
  }
}
