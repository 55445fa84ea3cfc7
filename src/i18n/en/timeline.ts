/**
 * The timeline's lines about containers and engines (src/alerts/timeline.ts). The page reads a
 * line kept in English back into its figures with these same templates (renderer/timeline-text.ts).
 */
export const timeline = {
  restart: '{{name}} restarted',
  restartedAway: '{{name}} restarted {{times}} time(s) while not watched',
  recreated: '{{name}} recreated (new container)',
  newImage: '{{name}} deployed: {{from}} → {{to}}',
  down: 'Engine {{host}} unreachable: {{why}}',
  up: 'Engine {{host}} up again',
} as const;
