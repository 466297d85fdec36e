/**
 * One population shared by simulated products. A real organization is one set of people: the directory
 * (Admin API) lists every managed account, and the same Atlassian account ids appear in Jira, Confluence and
 * Bitbucket. Without this, each simulator invents its own people and no cross-product join finds anybody.
 *
 * A product given `people` maps its ordinary human accounts (type 'atlassian', after its fixed odd cases, never
 * apps, customers, closed or deleted accounts) in index order to persons 0, 1, ... until the people run out;
 * the rest of its accounts stay product-only. Everything else about a user (groups, guest flag, time zone,
 * how a hidden e-mail is rendered) is still the product's own model.
 */
import type { AdminModel } from './admin.ts';
import { unit } from './random.ts';

/** A person as the product APIs show them. */
export interface Person {
  accountId: string;
  /** Full name. */
  name: string;
  /** null when the profile hides the e-mail from product APIs (facts sheet Q4); the directory may still know it. */
  email: string | null;
  /** Whether products list the account as active. */
  active: boolean;
}

/** People shared by simulated products. */
export interface People {
  readonly count: number;
  /** Person `k`, 0 <= k < count. */
  person(k: number): Person;
}

/** People from a plain list. */
export function peopleOf(list: readonly Person[]): People {
  return { count: list.length, person: (k) => list[k] ?? missing(k) };
}

function missing(k: number): never {
  throw new RangeError(`no person ${k}`);
}

export interface DirectoryPeopleOptions {
  /** The product whose workspace access selects the people. */
  product: 'jira' | 'confluence' | 'bitbucket';
  /** Which of the directory's workspaces of that product (0 = the first site). @default 0 */
  workspace?: number;
  /**
   * Accounts suspended or deactivated in the directory that products still list as active (deprovisioning
   * that never reached the product): the first `stillActive` such accounts with any product access, in
   * directory order, so every product agrees on who they are. @default 0
   */
  stillActive?: number;
  /** At most this many people (the first, in directory order); the product's other users stay its own. */
  limit?: number;
  /** Share of people whose profile hides the e-mail from products (the same people in every product). @default 0.3 */
  hiddenEmails?: number;
}

/**
 * The directory's accounts that have access to one product workspace, in directory order, as that product
 * sees them: same account id and name, the directory e-mail unless the profile hides it, active unless the
 * directory has the account suspended, deactivated or scheduled for deletion (but see `stillActive`).
 */
export function directoryPeople(model: AdminModel, options: DirectoryPeopleOptions): People {
  const { users, workspaces } = model;
  const target = workspaces.filter((w) => w.productKey === options.product)[options.workspace ?? 0];
  if (!target) throw new RangeError(`the directory has no ${options.product} workspace ${options.workspace ?? 0}`);
  const lagging = new Set<number>();
  const want = options.stillActive ?? 0;
  for (let i = 0; i < users.count && lagging.size < want; i++) {
    const s = users.status(i);
    if ((s === 'suspended' || s === 'deactivated') && users.productAccess(i, workspaces).length > 0) lagging.add(i);
  }
  const hidden = options.hiddenEmails ?? 0.3;
  const list: Person[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < users.count && list.length < limit; i++) {
    if (!users.productAccess(i, workspaces).some((p) => p.workspace === target.index)) continue;
    const email = users.email(i);
    list.push({
      accountId: users.accountId(i),
      name: users.name(i),
      email: email !== null && unit(model.seed, 'profile-email-hidden', i) >= hidden ? email : null,
      active: users.status(i) === 'active' || lagging.has(i),
    });
  }
  return peopleOf(list);
}
