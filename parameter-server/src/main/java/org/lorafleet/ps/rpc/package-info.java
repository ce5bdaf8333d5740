/**
 * The gRPC face of the parameter server: {@link org.lorafleet.ps.rpc.GrpcParameterServer} (Netty
 * server lifecycle, bind address, TLS, message limits), the service implementation, the
 * authentication interceptor, and the mapping between protobuf messages, chunked tensors and the
 * {@code api} types. The wire format is {@code src/main/proto/parameter_server.proto}.
 */
package org.lorafleet.ps.rpc;
