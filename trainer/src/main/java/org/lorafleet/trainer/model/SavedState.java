package org.lorafleet.trainer.model;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves what a block's forward saved for backward out of the block's scratch scope, so the scope
 * can drop every other temporary of the forward (norm squares, RoPE halves, activation inputs…):
 * a training pass then keeps only the saved state of each block, not all it allocated. The saved
 * state is a tree of records (and arrays) holding INDArrays; each array attached to the scratch
 * workspace is copied once (shared arrays stay shared) into the workspace that was current before
 * the scope opened, and the records are rebuilt around the copies. Values are unchanged, so the
 * gradients are bit-identical.
 */
final class SavedState {

  private SavedState() {}

  /**
   * Replaces the newest {@code entries} items of {@code tape} by copies living in {@code outer}
   * (the pass workspace, or null for no workspace). Call inside the scratch scope {@code scratch}.
   */
  static void moveOut(Deque<Object> tape, int entries, MemoryWorkspace scratch, MemoryWorkspace outer) {
    List<Object> newest = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      newest.add(tape.pop()); // newest first
    }
    Map<INDArray, INDArray> copies = new IdentityHashMap<>();
    List<Object> moved = new ArrayList<>();
    try (MemoryWorkspace borrowed = outer == null ? Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()
        : outer.notifyScopeBorrowed()) {
      for (Object o : newest) {
        moved.add(copy(o, scratch.getId(), copies));
      }
    }
    for (int i = moved.size() - 1; i >= 0; i--) {
      tape.push(moved.get(i)); // back in the original order
    }
  }

  private static Object copy(Object o, String scratchId, Map<INDArray, INDArray> copies) {
    if (o instanceof INDArray a) {
      return inWorkspace(a, scratchId) ? copies.computeIfAbsent(a, x -> x.dup(x.ordering())) : a;
    }
    if (o instanceof Record r) {
      return copyRecord(r, scratchId, copies);
    }
    if (o instanceof Object[] arr) {
      Object[] out = (Object[]) Array.newInstance(arr.getClass().getComponentType(), arr.length);
      for (int i = 0; i < arr.length; i++) {
        out[i] = copy(arr[i], scratchId, copies);
      }
      return out;
    }
    return o; // null, numbers, settings: nothing native
  }

  private static Record copyRecord(Record r, String scratchId, Map<INDArray, INDArray> copies) {
    RecordComponent[] parts = r.getClass().getRecordComponents();
    Class<?>[] types = new Class<?>[parts.length];
    Object[] values = new Object[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        types[i] = parts[i].getType();
        var accessor = parts[i].getAccessor();
        accessor.setAccessible(true);
        values[i] = copy(accessor.invoke(r), scratchId, copies);
      }
      Constructor<?> canonical = r.getClass().getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return (Record) canonical.newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Could not copy the saved state " + r.getClass().getName() + " out of its "
          + "scratch scope.", e);
    }
  }

  private static boolean inWorkspace(INDArray a, String id) {
    if (a.isEmpty() || !a.isAttached()) {
      return false;
    }
    MemoryWorkspace ws = a.data().getParentWorkspace();
    return ws != null && id.equals(ws.getId());
  }
}
