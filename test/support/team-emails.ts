/** The teams' addresses every unit suite uses (TEAM_EMAILS), as the object and as the variable's JSON. */
import type { TeamEmails } from '#shared/workflow/config.ts';

export const TEAM_EMAILS: TeamEmails = {
  cybersecurity: 'ccs@district.example',
  'instructional-technology': 'instech@district.example',
  dii: 'dii@district.example',
  aas: 'aas@district.example',
};

export const TEAM_EMAILS_JSON = JSON.stringify(TEAM_EMAILS);
