/** Overview: the broker, its totals and live rates, groups by state, the worst lag. */
import { api, enc, type BrokerOverview } from '../api.js';
import { ErrorBox, Link, Loading, Stat, usePoll } from '../components.js';
import { fmtBytes, fmtDuration, fmtInt, fmtRate } from '../format.js';

export function Overview() {
  const { data: o, error } = usePoll(() => api.get<BrokerOverview>('/api/broker'), 2000);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <ErrorBox error={error} />
      {!o ? (
        <Loading what="the broker" />
      ) : (
        <>
          <h2>Broker</h2>
          <dl class="stats">
            <Stat label="Version" value={o.version} />
            <Stat label="Uptime" value={fmtDuration(o.uptimeSeconds)} hint={`since ${new Date(o.startedAt).toLocaleString()}`} />
            <Stat label="HTTP and WebSocket port" value={o.listeners.http} />
            <Stat label="Kafka port" value={o.listeners.kafka ?? 'off'} />
            <Stat label="Authentication" value={o.authEnabled ? 'on' : 'off'} />
          </dl>
          <h2>Data</h2>
          <dl class="stats">
            <Stat label="Topics" value={fmtInt(o.topics)} />
            <Stat label="Partitions" value={fmtInt(o.partitions)} />
            <Stat label="Records stored" value={fmtInt(o.records)} />
            <Stat label="Size" value={fmtBytes(o.sizeBytes)} />
          </dl>
          <h2>Throughput (last 5 s)</h2>
          <dl class="stats" aria-live="off">
            <Stat label="Produce" value={<span data-testid="produce-rate">{fmtRate(o.rates.produceRecords)} rec/s</span>} hint={`${fmtBytes(o.rates.produceBytes)}/s`} />
            <Stat label="Produce bytes" value={`${fmtBytes(o.rates.produceBytes)}/s`} />
            <Stat label="Fetch" value={`${fmtRate(o.rates.fetchRecords)} rec/s`} />
            <Stat label="Fetch bytes" value={`${fmtBytes(o.rates.fetchBytes)}/s`} />
          </dl>
          <h2>Consumer groups</h2>
          <dl class="stats">
            <Stat label="Groups" value={fmtInt(o.groups.total)} />
            {Object.entries(o.groups.byState)
              .sort()
              .map(([state, n]) => (
                <Stat label={state} value={fmtInt(n)} />
              ))}
            <Stat
              label="Worst lag"
              value={
                o.worstLag ? (
                  <Link href={`/ui/groups/${enc(o.worstLag.groupId)}`}>
                    {fmtInt(o.worstLag.lag)} <span class="muted small">({o.worstLag.groupId} · {o.worstLag.topic}-{o.worstLag.partition})</span>
                  </Link>
                ) : (
                  'none'
                )
              }
            />
          </dl>
        </>
      )}
    </section>
  );
}
