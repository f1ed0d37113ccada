/**
 * Which human wait a task token belongs to. Tokens minted in this process belong to a running wait;
 * a token handed out before a restart (and emailed) is an alias of the token its wait got when the
 * execution was resumed; every token a journal knows, also closed ones, is remembered so that an
 * answer to it is refused as AWS refuses it (TaskDoesNotExist / TaskTimedOut) rather than as invalid.
 */
import { AwsApiError } from '../aws/protocol.ts';
import type { WaitJournalEntry } from '../executions-store.ts';

export class TokenBook<Owner extends { entry: WaitJournalEntry }> {
  /** Tokens minted in this process → the wait they belong to. */
  private readonly owners = new Map<string, Owner>();
  /** Tokens handed out before a restart → the token of the same wait in this process. */
  private readonly aliases = new Map<string, string>();
  /** Every token the journals know (also closed ones). */
  private readonly known = new Map<string, WaitJournalEntry>();

  /** Remembers a wait of a journal (read from disk, or just written). */
  know(entry: WaitJournalEntry): void {
    this.known.set(entry.token, entry);
  }

  /** The wait `token` (minted in this process) belongs to. */
  own(token: string, owner: Owner): void {
    this.owners.set(token, owner);
  }

  /** A token of before the restart reaches its wait's new token. */
  alias(earlier: string, current: string): void {
    this.aliases.set(earlier, current);
  }

  /**
   * The journal entry of a token known from disk that no wait of this process has claimed yet (its
   * execution is still replaying), or undefined.
   */
  unclaimed(token: string | undefined): WaitJournalEntry | undefined {
    if (!token) return undefined;
    const entry = this.known.get(token);
    if (!entry || this.aliases.has(token) || this.owners.has(token)) return undefined;
    return entry;
  }

  /** The wait a task token belongs to (after a restart, through its alias); throws as AWS answers. */
  ownerOf(token: string | undefined): Owner & { token: string } {
    if (!token) throw new AwsApiError('InvalidToken', 'Invalid Token: taskToken is required');
    const current = this.aliases.get(token) ?? token;
    const owner = this.owners.get(current);
    if (owner) return { ...owner, token: current };
    const known = this.known.get(token);
    if (known?.status === 'timed-out') throw new AwsApiError('TaskTimedOut', 'Task Timed Out');
    if (known) throw new AwsApiError('TaskDoesNotExist', 'Task does not exist anymore');
    throw new AwsApiError('InvalidToken', 'Invalid Token');
  }
}
