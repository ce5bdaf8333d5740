package org.lorafleet.ps.rpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.BindableService;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.rpc.proto.PullMessage;
import org.lorafleet.ps.rpc.proto.PullRequest;
import org.lorafleet.ps.rpc.proto.PushMessage;
import org.lorafleet.ps.rpc.proto.PushReply;
import org.lorafleet.ps.rpc.proto.RestoreReply;
import org.lorafleet.ps.rpc.proto.SnapshotMessage;
import org.lorafleet.ps.rpc.proto.SnapshotRequest;

/**
 * The tensor-carrying methods (Push, Pull, Snapshot, Restore) with a leaner parser than gRPC's
 * default: a message is read once into an array of its exact size and parsed with aliasing, so a
 * chunk's payload is not copied again into a separate {@code ByteString} (the default copies it
 * twice). Same wire format, same method names; the other methods keep the generated descriptors.
 */
public final class ChunkMethods {

  private ChunkMethods() {}

  /** Parses protobuf messages with {@code bytes} fields aliasing the received array. */
  static final class AliasingMarshaller<T extends Message> implements MethodDescriptor.Marshaller<T> {
    private final MethodDescriptor.Marshaller<T> base;
    private final Parser<T> parser;

    @SuppressWarnings("unchecked")
    AliasingMarshaller(T defaultInstance) {
      this.base = ProtoUtils.marshaller(defaultInstance);
      this.parser = (Parser<T>) defaultInstance.getParserForType();
    }

    @Override
    public InputStream stream(T value) {
      return base.stream(value);
    }

    @Override
    public T parse(InputStream in) {
      try {
        byte[] buf;
        if (in instanceof KnownLength) {
          buf = new byte[in.available()];
          int off = 0;
          while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
              throw new IOException("The message ended " + (buf.length - off) + " bytes early.");
            }
            off += n;
          }
        } else {
          buf = in.readAllBytes();
        }
        CodedInputStream cis = CodedInputStream.newInstance(buf);
        cis.enableAliasing(true);
        cis.setSizeLimit(Integer.MAX_VALUE);
        return parser.parseFrom(cis);
      } catch (InvalidProtocolBufferException e) {
        throw Status.INTERNAL.withDescription("Invalid protobuf byte sequence.").withCause(e).asRuntimeException();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("Cannot read a message: " + e.getMessage()).withCause(e)
            .asRuntimeException();
      }
    }
  }

  public static final MethodDescriptor<PushMessage, PushReply> PUSH = ParameterServerGrpc.getPushMethod()
      .toBuilder(new AliasingMarshaller<>(PushMessage.getDefaultInstance()),
          ProtoUtils.marshaller(PushReply.getDefaultInstance()))
      .build();

  public static final MethodDescriptor<PullRequest, PullMessage> PULL = ParameterServerGrpc.getPullMethod()
      .toBuilder(ProtoUtils.marshaller(PullRequest.getDefaultInstance()),
          new AliasingMarshaller<>(PullMessage.getDefaultInstance()))
      .build();

  public static final MethodDescriptor<SnapshotRequest, SnapshotMessage> SNAPSHOT =
      ParameterServerGrpc.getSnapshotMethod()
          .toBuilder(ProtoUtils.marshaller(SnapshotRequest.getDefaultInstance()),
              new AliasingMarshaller<>(SnapshotMessage.getDefaultInstance()))
          .build();

  public static final MethodDescriptor<SnapshotMessage, RestoreReply> RESTORE = ParameterServerGrpc.getRestoreMethod()
      .toBuilder(new AliasingMarshaller<>(SnapshotMessage.getDefaultInstance()),
          ProtoUtils.marshaller(RestoreReply.getDefaultInstance()))
      .build();

  private static final Map<String, MethodDescriptor<?, ?>> REPLACED = Map.of(PUSH.getFullMethodName(), PUSH,
      PULL.getFullMethodName(), PULL, SNAPSHOT.getFullMethodName(), SNAPSHOT, RESTORE.getFullMethodName(), RESTORE);

  /** The service's definition with the chunk-carrying methods using {@link AliasingMarshaller}. */
  static ServerServiceDefinition bind(BindableService service) {
    ServerServiceDefinition def = service.bindService();
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(ParameterServerGrpc.SERVICE_NAME);
    for (ServerMethodDefinition<?, ?> m : def.getMethods()) {
      MethodDescriptor<?, ?> replacement = REPLACED.get(m.getMethodDescriptor().getFullMethodName());
      if (replacement == null) {
        b.addMethod(m);
      } else {
        b.addMethod(rebind(m, replacement));
      }
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static <Q, R> ServerMethodDefinition<Q, R> rebind(ServerMethodDefinition<Q, R> m,
      MethodDescriptor<?, ?> replacement) {
    return ServerMethodDefinition.create((MethodDescriptor<Q, R>) replacement, m.getServerCallHandler());
  }
}
