import { type KeyboardEvent, type ReactNode, useId, useRef } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: ReactNode;
  /** Marks the tab as holding a field in error (announced with the tab's name). */
  invalid?: boolean;
}

/**
 * The console's one tab strip (WAI-ARIA tabs, automatic activation): the selected tab is the one
 * in the Tab order; Left/Right (and Home/End) move between tabs and select them.
 */
export function Tabs<K extends string>({
  label,
  tabs,
  selected,
  onSelect,
}: {
  label: string;
  tabs: TabItem<K>[];
  selected: K;
  onSelect(key: K): void;
}) {
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const base = useId();
  const move = (e: KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const to =
      e.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : e.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : -1;
    if (to < 0) return;
    e.preventDefault();
    const key = tabs[to]!.key;
    onSelect(key);
    refs.current.get(key)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tabs">
      {tabs.map((t, i) => (
        <button
          key={t.key}
          ref={(el) => {
            if (el) refs.current.set(t.key, el);
            else refs.current.delete(t.key);
          }}
          id={`${base}-${t.key}`}
          type="button"
          role="tab"
          aria-selected={t.key === selected}
          tabIndex={t.key === selected ? 0 : -1}
          className={t.invalid ? 'invalid' : undefined}
          onClick={() => onSelect(t.key)}
          onKeyDown={(e) => move(e, i)}
        >
          {t.label}
          {t.invalid && <span className="visually-hidden"> (has an error)</span>}
        </button>
      ))}
    </div>
  );
}
