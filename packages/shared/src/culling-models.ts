/**
 * The built-in culler's view of one server, as `GET /hub/api/clusterhub/users/{name}/server/culling`
 * answers it (docs/culler.md): the warning in force (what will happen, when, and whether a
 * keep-alive can prevent it) and the culler's last action on the server. The Lab polls it to show
 * the warning as a notification with a Keep alive button.
 */

/** Why the culler warns or acts: no activity, the server's maximum age, an idle GPU, or a budget (docs/budgets.md). */
export type CullReasonModel = 'idle' | 'max-age' | 'gpu-idle' | 'budget';

/** What the culler does at `action_at`: stop, move to a cheaper profile, or only tell the user. */
export type CullActionModel = 'stop' | 'downshift' | 'notify';

/** A warning (or a GPU-idle notice) in force. */
export interface CullWarningModel {
  reason: CullReasonModel;
  action: CullActionModel;
  /** When the action is due if nothing changes (ISO-8601). */
  action_at: string;
  /** The text shown to the user (also the server's `message`). */
  message: string;
  /** True when `POST …/keep-alive` takes the warning back (not for `max-age`). */
  keep_alive: boolean;
}

/** The culler's last action on the server (its previous run), from the server record. */
export interface CullLastActionModel {
  reason: CullReasonModel;
  /** When it happened (ISO-8601). */
  at: string;
  /** What the user is told, e.g. "Your GPU server was moved to CPU at 14:20 UTC …"; null when none was recorded. */
  message: string | null;
}

/** The answer of the culling endpoint and of the keep-alive. */
export interface CullingModel {
  user: string;
  /** Server name; `""` is the default server. */
  server: string;
  warning: CullWarningModel | null;
  last_action: CullLastActionModel | null;
}
