/** The admin navigation tree of the seeds: group → items. */
export interface NavItem {
  label: string;
  path: string;
  /** Whether this version implements the page. */
  ready: boolean;
}

export const NAVIGATION: { group: string; items: NavItem[] }[] = [
  {
    group: 'Integrations',
    items: [
      { label: 'OAuth', path: '/admin/integrations/oauth', ready: true },
      { label: 'Authorized Applications', path: '/admin/integrations/authorized-applications', ready: true },
      { label: 'Single Sign-On', path: '/admin/integrations/sso', ready: true },
      { label: 'Audit Streams', path: '/admin/integrations/audit-streams', ready: true },
    ],
  },
  {
    group: 'Platform Usage',
    items: [
      { label: 'API Usage', path: '/admin/platform-usage/api-usage', ready: true },
      { label: 'API Usage View', path: '/admin/platform-usage/api-usage-view', ready: true },
    ],
  },
  {
    group: 'Troubleshooting',
    items: [{ label: 'Audit Viewer', path: '/admin/troubleshooting/audit-viewer', ready: true }],
  },
  {
    group: 'Performance',
    items: [
      { label: 'Queues Activity', path: '/admin/performance/queues-activity', ready: true },
      { label: 'Interaction Details', path: '/admin/performance/interaction-details', ready: true },
    ],
  },
  {
    group: 'Routing',
    items: [{ label: 'Disconnect Interactions', path: '/admin/routing/disconnect-interactions', ready: true }],
  },
  {
    group: 'Directory',
    items: [{ label: 'External Contacts', path: '/admin/directory/external-contacts', ready: true }],
  },
  {
    group: 'People & Permissions',
    items: [
      { label: 'Users', path: '/admin/people/users', ready: true },
      { label: 'Roles', path: '/admin/people/roles', ready: true },
      { label: 'Divisions', path: '/admin/people/divisions', ready: true },
    ],
  },
  {
    group: 'Privacy',
    items: [{ label: 'Data Subject Requests', path: '/admin/privacy/data-subject-requests', ready: true }],
  },
];
