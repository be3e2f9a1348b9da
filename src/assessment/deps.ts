// What the assessment reads: the catalogue, the profile, the SoA and the risk register, through one object. It never writes.
import type { Catalog, Edition } from '../catalog/catalog.js';
import type { RiskLevel } from '../config.js';
import type { Profile } from '../soa/index.js';
import type { RiskFit } from './library.js';
import type { EarlierRisk } from './suggest.js';
import type { ScopeRole } from './types.js';

export interface FlowDeps {
  catalog: Catalog;
  profile: Profile | null;
  /** The SoA's edition: its lines are what the missed-control step lists (2022: 5.23, 12.3.1@customer, ...). */
  edition: Edition;
  /** SoA lines (keys) that already have an approved decision. */
  decided: Set<string>;
  /** Of those, the ones excluded (not applicable): choosing one for a risk reverses an approved exclusion. */
  excluded: Set<string>;
  riskLevels: RiskLevel[];
  isApprover(user: string): boolean;
  /** Catalogue controls that retrieval finds for a risk, best first. */
  suggest(text: string, role: ScopeRole): Promise<string[]>;
  /** How each library risk fits a service (corpus/risk-fit.json). */
  fit: Map<string, RiskFit>;
  /** Risks already in the register: owners are suggested from earlier assessments of the same service. */
  earlier: EarlierRisk[];
}
