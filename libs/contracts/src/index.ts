// Typed contracts generated from proto/ by `nx run contracts:generate` (ts-proto). Services and
// libs import messages from here; the generated files themselves are never edited or committed.
export { EventEnvelope } from './gen/tongban/events/v1/envelope';
export { ProbeSent } from './gen/tongban/ops/v1/probe';
export { Any } from './gen/google/protobuf/any';
export {
  HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthService,
  HEALTH_SERVICE_NAME,
  type HealthServer,
} from './gen/grpc/health/v1/health';
export type { ProtoMessageType } from './proto-message-type';
