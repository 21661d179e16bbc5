// Shows one uploaded file in place: scans as images or PDF, survey media as images or video.
// Files come from the review API of this task only, which sends them with their content type.
import { formatBytes } from '../shared/format';
import { Empty } from '../shared/ui';

export interface ViewableFile {
  sha256: string;
  title: string;
  contentType: string;
  sizeBytes: number;
  url: string;
}

export function MaterialLink({
  file,
  selected,
  onSelect,
}: {
  file: ViewableFile;
  selected: boolean;
  onSelect: (file: ViewableFile) => void;
}) {
  return (
    <button
      type="button"
      className={`material-link${selected ? ' material-link-selected' : ''}`}
      data-testid="material-link"
      data-sha256={file.sha256}
      onClick={() => {
        onSelect(file);
      }}
    >
      <span className="material-icon" aria-hidden="true">
        {file.contentType.startsWith('video/')
          ? '▶'
          : file.contentType === 'application/pdf'
            ? 'PDF'
            : '图'}
      </span>
      <span className="material-title">{file.title}</span>
      <span className="secondary">{formatBytes(file.sizeBytes)}</span>
    </button>
  );
}

export function MaterialViewer({ file }: { file: ViewableFile | undefined }) {
  return (
    <div
      className="material-viewer"
      data-testid="material-viewer"
      data-sha256={file?.sha256 ?? ''}
      data-content-type={file?.contentType ?? ''}
    >
      {file === undefined ? (
        <Empty>点击左侧材料，在此查看扫描件、照片或视频。</Empty>
      ) : (
        <>
          <div className="viewer-bar">
            <strong>{file.title}</strong>
            <span className="secondary">
              {file.contentType} · {formatBytes(file.sizeBytes)}
            </span>
            <a href={file.url} target="_blank" rel="noreferrer" className="button button-small">
              新窗口打开
            </a>
          </div>
          <FileView file={file} />
        </>
      )}
    </div>
  );
}

function FileView({ file }: { file: ViewableFile }) {
  if (file.contentType.startsWith('image/')) {
    return <img className="viewer-image" src={file.url} alt={file.title} />;
  }
  if (file.contentType.startsWith('video/')) {
    return (
      <video className="viewer-video" src={file.url} controls preload="metadata">
        此浏览器无法播放该视频，请用“新窗口打开”下载后查看。
      </video>
    );
  }
  if (file.contentType === 'application/pdf') {
    return <iframe className="viewer-pdf" src={file.url} title={file.title} />;
  }
  return <Empty>此类文件（{file.contentType}）无法在页面内预览，请用“新窗口打开”。</Empty>;
}
