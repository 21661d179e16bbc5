// The one timeline of a case across both regions: what the window did here, what the handling
// region reported back, logistics tracking and deadline warnings, oldest first.
import type { TimelineEntry } from '../../../src/api/console-api';
import { formatDateTime } from '../shared/format';
import { STATUS_LABELS, TIMELINE_KIND_LABELS, timelineTone } from '../shared/labels';
import { Empty } from '../shared/ui';

export function CaseTimeline({
  entries,
  originRegion,
}: {
  entries: TimelineEntry[];
  originRegion: string;
}) {
  if (entries.length === 0) return <Empty>暂无办理记录。</Empty>;
  const ordered = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
  return (
    <ol className="timeline">
      {ordered.map((entry, index) => {
        const title =
          entry.kind === 'STATUS' && entry.status !== undefined
            ? STATUS_LABELS[entry.status]
            : TIMELINE_KIND_LABELS[entry.kind];
        return (
          <li
            key={`${entry.at}-${index}`}
            className={`timeline-entry timeline-${timelineTone(entry.kind)}`}
            data-testid="timeline-entry"
            data-kind={entry.kind}
            data-status={entry.status ?? ''}
            data-region={entry.region}
          >
            <span className="timeline-dot" aria-hidden="true" />
            <div className="timeline-body">
              <div className="timeline-head">
                {entry.kind === 'STATUS' ? (
                  <strong className="timeline-title">{title}</strong>
                ) : (
                  <span className={`badge badge-${timelineTone(entry.kind)}`}>{title}</span>
                )}
                <span className="timeline-region">
                  {entry.regionName}
                  {entry.region === originRegion ? '（受理地）' : '（办理地）'}
                </span>
                <time className="timeline-time" dateTime={entry.at}>
                  {formatDateTime(entry.at)}
                </time>
              </div>
              {entry.note === '' ? null : <p className="timeline-note">{entry.note}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
