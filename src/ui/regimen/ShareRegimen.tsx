import { useId, useState } from 'react';
import { useWorkbench } from '../../state/store';
import { shareUrl } from '../../state/shareLink';
import { DEMO_TRUTH_ID } from '../../state/slices/savedFitsSlice';

/**
 * "Share link": the Regimen panel's settings as a link (state/shareLink) — regimen, target,
 * patient and population settings, the model's id and name; no data set. Copied to the
 * clipboard where the browser allows it, and always shown selected for a manual copy.
 */
export function ShareRegimen() {
  const id = useId();
  const [link, setLink] = useState<{ url: string; copied: boolean } | null>(null);
  const make = async () => {
    const s = useWorkbench.getState();
    const fit = s.savedFits.find((f) => f.id === s.regimenModelId);
    const net = s.neuralModels.find((m) => m.id === s.regimenModelId);
    const url = shareUrl(
      {
        regimen: s.regimen,
        intervalChoice: s.intervalChoice,
        patient: s.patient,
        threshold: s.threshold,
        regimenMode: s.regimenMode,
        population: s.population,
        modelId: fit?.id ?? net?.id ?? DEMO_TRUTH_ID,
        modelLabel: fit?.label ?? net?.label ?? "Demo trial's true model",
      },
      location.href,
    );
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      copied = false;
    }
    setLink({ url, copied });
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={() => void make()}
        data-testid="regimen-share"
        title="A link that opens this regimen, target and population; it carries no patient data"
      >
        Share link
      </button>
      {link ? (
        <div className="field share-regimen-link" role="status">
          <label htmlFor={`${id}-link`} className="small">
            {link.copied ? 'Copied to the clipboard. ' : 'Copy this link. '}
            It holds the regimen, target, patient and population settings and the model&apos;s name
            — no data set.
          </label>
          <input
            id={`${id}-link`}
            readOnly
            value={link.url}
            onFocus={(e) => e.currentTarget.select()}
            data-testid="regimen-share-link"
          />
        </div>
      ) : null}
    </>
  );
}

/** What opening a shared link did, shown atop the Regimen panel until dismissed. */
export function SharedRegimenNotice() {
  const notice = useWorkbench((s) => s.sharedNotice);
  const dismiss = useWorkbench((s) => s.dismissSharedNotice);
  if (!notice) return null;
  return (
    <div
      className={`alert ${notice.kind === 'error' ? 'warn' : 'ok'} small row`}
      role="status"
      data-testid="regimen-shared-notice"
    >
      <span>{notice.text}</span>
      <span className="spacer" />
      <button type="button" className="secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
