export * from './kafka-cluster';
export { ControllerPoolProps, KafkaClusterProps, KafkaTopicProps } from './props';
// Port and id constants under Kafka names: other constructs have their own CLIENT_PORT or EXPORTER_PORT.
export {
  BROKER_ID_OFFSET as KAFKA_BROKER_ID_OFFSET,
  CLIENT_PORT as KAFKA_CLIENT_PORT,
  CONTROLLER_PORT as KAFKA_CONTROLLER_PORT,
  EXPORTER_PORT as KAFKA_EXPORTER_PORT,
  INTERNAL_PORT as KAFKA_INTERNAL_PORT,
} from './props';
export { ResolvedPool } from './resolve';
export { ResolvedTopic } from './topics';
