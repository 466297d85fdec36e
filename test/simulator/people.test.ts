/**
 * A population shared by simulated products (simulator/people.ts): which product accounts take shared
 * people, and how the directory's people look to the products. Over the models, no HTTP.
 */
import { describe, expect, it } from 'vitest';
import { adminTenant, bitbucketTenant, confluenceTenant, directoryPeople, jiraTenant, peopleOf, type Person } from '../../simulator/index.ts';

// More people than any tenant below has users, so every eligible account takes one; every third is inactive.
const list: Person[] = Array.from({ length: 500 }, (_, k) => ({ accountId: `shared-${k}`, name: `Shared Person ${k}`, email: k % 4 === 0 ? null : `p${k}@acme.example`, active: k % 3 !== 0 }));
const shared = peopleOf(list);
const byId = new Map(list.map((p) => [p.accountId, p]));

describe('products sharing people', () => {
  it('Jira gives shared people to ordinary atlassian accounts only: the fixed accounts, apps and customers stay its own', () => {
    const users = jiraTenant({ seed: 3, users: 300, people: shared }).model.users;
    const all = Array.from({ length: users.count }, (_, i) => users.get(i));
    const taken = all.filter((u) => byId.has(u.accountId));
    expect(taken.length).toBeGreaterThan(200);
    expect(taken.every((u) => u.accountType === 'atlassian' && u.index >= 5)).toBe(true);
    expect(all.filter((u) => u.accountType === 'app').every((u) => u.accountId.startsWith('557058:'))).toBe(true);
    expect(all.some((u) => u.accountType === 'customer' && !byId.has(u.accountId))).toBe(true);
  });

  it('Jira shows a shared person with its name, e-mail (hidden when the profile hides it) and active state', () => {
    const users = jiraTenant({ seed: 3, users: 300, people: shared }).model.users;
    const taken = Array.from({ length: users.count }, (_, i) => users.get(i)).filter((u) => byId.has(u.accountId));
    expect(taken.map((u) => ({ name: u.displayName, email: u.emailAddress, active: u.active }))).toEqual(
      taken.map((u) => {
        const p = byId.get(u.accountId);
        return { name: p?.name, email: p?.email, active: p?.active };
      }),
    );
  });

  it('Confluence keeps apps and closed "Former user" accounts its own, and shows inactive people as inactive', () => {
    const users = confluenceTenant({ seed: 3, users: 300, people: shared }).model.users;
    const all = Array.from({ length: users.count }, (_, i) => users.get(i));
    const taken = all.filter((u) => byId.has(u.accountId));
    expect(taken.length).toBeGreaterThan(200);
    expect(all.filter((u) => u.accountType !== 'atlassian').some((u) => byId.has(u.accountId))).toBe(false);
    expect(taken.map((u) => u.accountStatus)).toEqual(taken.map((u) => (byId.get(u.accountId)?.active ? 'active' : 'inactive')));
  });

  it('Bitbucket keeps its deleted accounts without an id and takes active people only', () => {
    const tenant = bitbucketTenant({ seed: 3, users: 120, people: shared });
    const users = tenant.model.users;
    expect(users.filter((u) => u.index % 13 === 6 && u.index > 0).every((u) => u.accountId === null)).toBe(true);
    const taken = users.filter((u) => u.accountId !== null && byId.has(u.accountId));
    expect(taken.length).toBeGreaterThan(100);
    expect(taken.every((u) => byId.get(u.accountId ?? '')?.active === true)).toBe(true);
  });
});

describe('the directory as the population', () => {
  const admin = adminTenant({ seed: 7, users: 400, sites: 1 });
  const status = new Map(admin.groundTruth().admin_users?.map((r) => [String(r.account_id), String(r.status)]));

  it('lists the accounts with access to the product workspace, active as the directory has them', () => {
    const people = directoryPeople(admin.model, { product: 'confluence' });
    const site = admin.model.workspaces.find((w) => w.productKey === 'confluence');
    const withAccess = admin.groundTruth().admin_user_product_access?.filter((r) => r.resource_id === site?.id).map((r) => String(r.account_id));
    const persons = Array.from({ length: people.count }, (_, k) => people.person(k));
    expect(persons.map((p) => p.accountId)).toEqual(withAccess);
    expect(persons.map((p) => p.active)).toEqual(persons.map((p) => status.get(p.accountId) === 'active'));
  });

  const personsOf = (product: 'jira' | 'confluence', stillActive = 0): Person[] => {
    const people = directoryPeople(admin.model, { product, stillActive });
    return Array.from({ length: people.count }, (_, k) => people.person(k));
  };
  const laggingIds = (product: 'jira' | 'confluence', n = 3): string[] => personsOf(product, n).filter((p) => p.active && status.get(p.accountId) !== 'active').map((p) => p.accountId);

  it('keeps at most stillActive suspended or deactivated accounts active', () => {
    const lagging = laggingIds('jira');
    expect(lagging.length).toBeGreaterThan(0);
    expect(lagging.length).toBeLessThanOrEqual(3);
    expect(lagging.every((id) => ['suspended', 'deactivated'].includes(status.get(id) ?? ''))).toBe(true);
  });

  it('keeps the same accounts active in every product', () => {
    const inConfluence = new Set(personsOf('confluence').map((p) => p.accountId));
    const both = laggingIds('jira', 10).filter((id) => inConfluence.has(id));
    expect(both.length).toBeGreaterThan(0);
    expect(laggingIds('confluence', 10)).toEqual(expect.arrayContaining(both));
  });
});
