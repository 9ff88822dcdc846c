// SASL on the Kafka listener (filled in below).
export interface SaslSession {
  readonly mechanism: string;
}
