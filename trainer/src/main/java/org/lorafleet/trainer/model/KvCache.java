package org.lorafleet.trainer.model;

import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keys and values of every layer for one sequence being generated, so each new token costs O(T)
 * attention instead of re-running the whole prefix. Arrays are [kvHeads, capacity, headDim] per
 * layer, allocated outside any workspace (they outlive the passes that fill them). Not thread-safe:
 * one cache per generating thread.
 */
public final class KvCache {

  private final INDArray[] keys;
  private final INDArray[] values;
  private final int capacity;
  private int length;

  KvCache(HfModelConfig cfg, int capacity) {
    this.capacity = capacity;
    int layers = cfg.layers();
    keys = new INDArray[layers];
    values = new INDArray[layers];
    try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      Nd.init();
      for (int i = 0; i < layers; i++) {
        keys[i] = Nd4j.zeros(cfg.kvHeads(), capacity, cfg.headDim());
        values[i] = Nd4j.zeros(cfg.kvHeads(), capacity, cfg.headDim());
      }
    }
  }

  /** Positions held so far (the next token's position). */
  public int length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  /** Forgets every position (e.g. to restart from a shorter window). */
  public void clear() {
    length = 0;
  }

  /**
   * Stores layer {@code layer}'s k and v [kvHeads, n, hd] of positions length..length+n−1 and returns
   * the keys and values of all positions 0..length+n−1 (contiguous copies, [kvHeads, L, hd]).
   */
  INDArray[] append(int layer, INDArray k, INDArray v) {
    int n = (int) k.size(1);
    if (length + n > capacity) {
      throw new IllegalStateException("The KV cache holds " + capacity + " positions; " + (length + n) + " needed.");
    }
    keys[layer].get(NDArrayIndex.all(), NDArrayIndex.interval(length, length + n), NDArrayIndex.all()).assign(k);
    values[layer].get(NDArrayIndex.all(), NDArrayIndex.interval(length, length + n), NDArrayIndex.all()).assign(v);
    int total = length + n;
    return new INDArray[] {
        keys[layer].get(NDArrayIndex.all(), NDArrayIndex.interval(0, total), NDArrayIndex.all()).dup('c'),
        values[layer].get(NDArrayIndex.all(), NDArrayIndex.interval(0, total), NDArrayIndex.all()).dup('c')};
  }

  /** Marks {@code n} more positions as held, once every layer has appended them. */
  void advance(int n) {
    length += n;
  }
}
