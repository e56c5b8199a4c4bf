import { PRESETS, type Preset } from './ranges.ts';

/** The date-range controls both API Usage pages share: a preset, and the days a custom range or single day needs. */
export function RangePicker(props: {
  preset: Preset;
  onPreset(p: Preset): void;
  custom: { from: string; to: string };
  onCustom(c: { from: string; to: string }): void;
  /** The last day that may be picked (the current UTC day is never reported). */
  max: string;
}) {
  const { preset, custom, max } = props;
  return (
    <>
      <label>
        Date range{' '}
        <select value={preset} onChange={(e) => props.onPreset(e.target.value as Preset)}>
          {PRESETS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      {(preset === 'Custom' || preset === 'Single day') && (
        <label>
          {preset === 'Custom' ? 'From' : 'Day'}{' '}
          <input
            type="date"
            value={custom.from}
            max={max}
            onChange={(e) => props.onCustom({ ...custom, from: e.target.value })}
          />
        </label>
      )}
      {preset === 'Custom' && (
        <label>
          To{' '}
          <input
            type="date"
            value={custom.to}
            max={max}
            onChange={(e) => props.onCustom({ ...custom, to: e.target.value })}
          />
        </label>
      )}
    </>
  );
}
