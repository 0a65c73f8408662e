import {
  ProviderBehaviour,
  PushProvider,
  PUSH_PROVIDERS,
  ResolvedBehaviour,
  SimpleBehaviour,
  SimpleBehaviourKind,
} from './emulator.types';

interface Entry {
  prefix: string;
  behaviour: ProviderBehaviour;
  /** `fail-times`: requests seen per device token. */
  seen: Map<string, number>;
  /** `hms-token-expired`: sends still to fail. */
  remaining: number;
}

const SUCCESS: ResolvedBehaviour = { kind: 'success' };
const SIMPLE_KINDS: readonly SimpleBehaviourKind[] = [
  'success',
  'unregistered',
  'bad-token',
  'credential-error',
  'rate-limit',
  'unavailable',
  'slow',
];

/** Per-provider token-prefix behaviours; the longest matching prefix wins. */
export class BehaviourRegistry {
  /** Sorted by prefix length, longest first, so the first match is the winner. */
  private readonly entries = new Map<PushProvider, Entry[]>();

  set(provider: PushProvider, tokenPrefix: string, behaviour: ProviderBehaviour): void {
    if (!PUSH_PROVIDERS.includes(provider)) throw new Error(`Unknown provider: ${String(provider)}`);
    if (typeof tokenPrefix !== 'string') throw new Error('tokenPrefix must be a string');
    const checked = validateBehaviour(provider, behaviour);
    const list = (this.entries.get(provider) ?? []).filter((entry) => entry.prefix !== tokenPrefix);
    list.push({
      prefix: tokenPrefix,
      behaviour: checked,
      seen: new Map(),
      remaining: checked.kind === 'hms-token-expired' ? (checked.times ?? 1) : 0,
    });
    list.sort((a, b) => b.prefix.length - a.prefix.length);
    this.entries.set(provider, list);
  }

  clear(): void {
    this.entries.clear();
  }

  /** What this request answers for `token`; counts the request against `fail-times` / `hms-token-expired`. */
  resolve(provider: PushProvider, token: string): ResolvedBehaviour {
    const entry = this.match(provider, token);
    return entry ? apply(entry, token) : SUCCESS;
  }

  /** Per token of one multi-token request (HMS); `hms-token-expired` counts the request once, not per token. */
  resolveAll(provider: PushProvider, tokens: readonly string[]): ResolvedBehaviour[] {
    if (!this.entries.has(provider)) return tokens.map(() => SUCCESS);
    const perRequest = new Map<Entry, ResolvedBehaviour>();
    return tokens.map((token) => {
      const entry = this.match(provider, token);
      if (!entry) return SUCCESS;
      if (entry.behaviour.kind !== 'hms-token-expired') return apply(entry, token);
      const resolved = perRequest.get(entry) ?? apply(entry, token);
      perRequest.set(entry, resolved);
      return resolved;
    });
  }

  private match(provider: PushProvider, token: string): Entry | undefined {
    return this.entries.get(provider)?.find((candidate) => token.startsWith(candidate.prefix));
  }
}

function apply(entry: Entry, token: string): ResolvedBehaviour {
  const behaviour = entry.behaviour;
  switch (behaviour.kind) {
    case 'fail-times': {
      const seen = entry.seen.get(token) ?? 0;
      if (seen < behaviour.times) {
        entry.seen.set(token, seen + 1);
        return { kind: behaviour.with ?? 'unavailable', retryAfterSeconds: behaviour.retryAfterSeconds };
      }
      return toSimple(behaviour.then ?? 'success');
    }
    case 'hms-token-expired':
      if (entry.remaining <= 0) return SUCCESS;
      entry.remaining--;
      return { kind: 'hms-token-expired' };
    default:
      return behaviour;
  }
}

function toSimple(then: SimpleBehaviourKind | SimpleBehaviour): SimpleBehaviour {
  return typeof then === 'string' ? ({ kind: then } as SimpleBehaviour) : then;
}

/** Checks a behaviour, which may come as JSON from the control API. */
function validateBehaviour(provider: PushProvider, behaviour: ProviderBehaviour): ProviderBehaviour {
  if (!behaviour || typeof behaviour !== 'object') throw new Error('behaviour must be an object');
  switch (behaviour.kind) {
    case 'fail-times': {
      requireCount(behaviour.times, 'times');
      if (
        behaviour.with !== undefined &&
        behaviour.with !== 'unavailable' &&
        behaviour.with !== 'rate-limit'
      ) {
        throw new Error("fail-times 'with' must be 'unavailable' or 'rate-limit'");
      }
      optionalSeconds(behaviour.retryAfterSeconds);
      if (behaviour.then !== undefined) validateSimple(toSimple(behaviour.then));
      return behaviour;
    }
    case 'hms-token-expired':
      if (provider !== 'hms') throw new Error('hms-token-expired is an HMS behaviour');
      if (behaviour.times !== undefined) requireCount(behaviour.times, 'times');
      return behaviour;
    default:
      validateSimple(behaviour);
      return behaviour;
  }
}

function validateSimple(behaviour: SimpleBehaviour): void {
  if (!behaviour || !SIMPLE_KINDS.includes(behaviour.kind)) {
    throw new Error(`Unknown behaviour kind: ${String((behaviour as { kind?: unknown })?.kind)}`);
  }
  if (behaviour.kind === 'slow') requireCount(behaviour.delayMs, 'delayMs');
  if (behaviour.kind === 'rate-limit' || behaviour.kind === 'unavailable') {
    optionalSeconds(behaviour.retryAfterSeconds);
  }
}

function requireCount(value: unknown, name: string): void {
  if (!Number.isInteger(value) || (value as number) < 0)
    throw new Error(`${name} must be a non-negative integer`);
}

function optionalSeconds(value: unknown): void {
  if (value !== undefined) requireCount(value, 'retryAfterSeconds');
}
