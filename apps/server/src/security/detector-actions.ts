/** Which action each detector takes, from TESSERA_DETECTOR_ACTIONS (docs/detectors.md). */
export type DetectorSetting = 'alert' | 'throttle' | 'revoke' | 'off';

/** The actions each detector supports besides `alert` and `off`. */
export const DETECTOR_ACTIONS: Record<string, readonly DetectorSetting[]> = {
  refresh_reuse: ['revoke', 'off'],
  client_auth_burst: ['alert', 'throttle', 'off'],
  login_failures: ['alert', 'throttle', 'off'],
  issuance_spike: ['alert', 'throttle', 'off'],
  refresh_new_network: ['alert', 'revoke', 'off'],
  inactive_token_replay: ['alert', 'off'],
};

export const DEFAULT_DETECTOR_ACTIONS = 'login_failures=throttle';

/** Parses `name=action,name=action`; unnamed detectors keep their default. */
export function parseDetectorActions(raw: string): Record<string, DetectorSetting> {
  const result: Record<string, DetectorSetting> = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name = '', action = ''] = part.split('=').map((s) => s.trim());
    const allowed = DETECTOR_ACTIONS[name];
    if (!allowed) throw new Error(`unknown detector "${name}" (known: ${Object.keys(DETECTOR_ACTIONS).join(', ')})`);
    if (!allowed.includes(action as DetectorSetting)) throw new Error(`detector ${name} supports ${allowed.join(', ')}, not "${action}"`);
    result[name] = action as DetectorSetting;
  }
  return result;
}
