/**
 * The user pool's groups now, not as they were at sign-in: a session lasts hours, and a person removed
 * from a team in that time must not decide for it. Deciding (and taking or assigning a task) asks the
 * directory again; reading a page trusts the session.
 */
import {
  AdminListGroupsForUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransientError } from '../core/errors.ts';
import { knownGroups } from './groups.ts';
import type { IdentityGroup } from './types.ts';

export interface TeamDirectory {
  /** The known groups `username` belongs to now; [] for a person the pool no longer has. */
  groupsOf(username: string): Promise<IdentityGroup[]>;
}

/** Cognito AdminListGroupsForUser (the local runtime answers it from its seeded users). */
export function cognitoDirectory(client: CognitoIdentityProviderClient, userPoolId: string): TeamDirectory {
  return {
    async groupsOf(username) {
      const names: string[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const page = await client.send(
            new AdminListGroupsForUserCommand({
              UserPoolId: userPoolId,
              Username: username,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          );
          for (const group of page.Groups ?? []) if (group.GroupName) names.push(group.GroupName);
          nextToken = page.NextToken;
        } while (nextToken);
      } catch (error) {
        if (error instanceof UserNotFoundException) return [];
        throw new TransientError('The user directory could not be reached', { cause: error });
      }
      return knownGroups(names);
    },
  };
}
