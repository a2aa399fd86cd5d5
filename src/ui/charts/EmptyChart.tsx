/** What a chart shows in its place when there is nothing finite to plot. */
export function EmptyChart({ height }: { height: number }) {
  return (
    <p className="muted" style={{ height, display: 'grid', placeItems: 'center' }}>
      No values to plot.
    </p>
  );
}
