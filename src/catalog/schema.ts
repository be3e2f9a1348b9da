// Schemas for the files in corpus/. Every corpus file is validated against one of these
// before anything is loaded; see loader.ts.
import { z } from 'zod';

/** This file, whose text keys the validated corpus copy (loader.ts). */
export const schemaUrl = import.meta.url;

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** Text in both languages. Both must be present and non-empty. */
export const bilingual = z.strictObject({ en: nonEmpty, ja: nonEmpty });
export type Bilingual = z.infer<typeof bilingual>;

/** Keyword lists in both languages; each list needs at least one entry. */
export const bilingualList = z.strictObject({
  en: z.array(nonEmpty).min(1, 'needs at least one entry'),
  ja: z.array(nonEmpty).min(1, 'needs at least one entry'),
});

export const controlIdPattern = /^(?:[5-9]|1[0-8])\.\d{1,2}\.\d{1,2}$/;
export const cldIdPattern = /^CLD\.\d{1,2}\.\d{1,2}\.\d{1,2}$/;
export const iso2022IdPattern = /^2022:A\.[5-8]\.\d{1,2}$/;

/** Where a 27002:2013 control went in ISO/IEC 27001:2022 Annex A. */
export const mapping2022 = z.strictObject({
  id: z.string().regex(iso2022IdPattern, 'must look like 2022:A.8.13'),
  /** same: one-to-one; merged: several 2013 controls became this one; split: this 2013 control became several. */
  relation: z.enum(['same', 'merged', 'split']),
});

/** What 27017 adds to a 27002 control, per role. null means 27017 gives that role no extra guidance (－). */
export const cloudGuidance = z.strictObject({
  customer: bilingual.nullable(),
  provider: bilingual.nullable(),
  /** Why the roles were set this way, where the source is ambiguous. */
  note: bilingual.optional(),
});

export const control = z.strictObject({
  id: z.string().regex(controlIdPattern, 'must look like 12.3.1'),
  category: z.string().regex(/^\d{1,2}\.\d{1,2}$/, 'must look like 12.3'),
  title: bilingual,
  /** Where the Japanese title was checked: the seed briefing, or the JIS Q 27002:2014 term. */
  titleJaSource: z.enum(['seed', 'jis']),
  summary: bilingual,
  keywords: bilingualList,
  iso27001_2022: z.array(mapping2022).min(1, 'every control maps to at least one 2022 control'),
  cloudGuidance: cloudGuidance.optional(),
});

export const category = z.strictObject({
  id: z.string().regex(/^\d{1,2}\.\d{1,2}$/, 'must look like 12.3'),
  title: bilingual,
  objective: bilingual,
});

export const clauseFile = z.strictObject({
  clause: z.string().regex(/^(?:[5-9]|1[0-8])$/, 'must be 5 to 18'),
  title: bilingual,
  categories: z.array(category).min(1),
  controls: z.array(control).min(1),
});

export const cldControl = z.strictObject({
  id: z.string().regex(cldIdPattern, 'must look like CLD.9.5.1'),
  category: z.strictObject({ id: z.string().regex(/^CLD\.\d{1,2}\.\d{1,2}$/), title: bilingual, objective: bilingual }),
  title: bilingual,
  /** Our summary of the control statement. */
  control: bilingual,
  /** Which roles the control binds; true where 27017 gives that role guidance. */
  roles: z.strictObject({ customer: z.boolean(), provider: z.boolean() }),
  guidance: z.strictObject({ customer: bilingual.nullable(), provider: bilingual.nullable() }),
  /** The items the seed's comparison table places beside this control. */
  related: z.strictObject({
    iso27001_2013: z.array(z.string().regex(/^A\.\d{1,2}\.\d{1,2}$/)).min(1),
    iso27002_2013: z.array(z.string().regex(/^\d{1,2}\.\d{1,2}$/)).min(1),
    meti2011: z.array(z.string().regex(/^\d{1,2}\.\d{1,2}$/)).min(1),
  }),
  iso27001_2022: z.array(mapping2022).min(1),
  keywords: bilingualList,
});

export const requirement = z.strictObject({
  id: z.string().regex(/^JIP-ISMS517-4(?:\.\d){1,2}$/, 'must look like JIP-ISMS517-4.2.2'),
  title: bilingual,
  /** The JIS Q 27001 clause that the requirement extends. */
  jisQ27001: z.string().min(1),
  /** What the requirement demands, in our words. */
  demands: bilingual,
  /** Lettered items (4.2.2 a-d), where the requirement has them. */
  items: z.array(z.strictObject({ id: z.string().regex(/^[a-d]$/), text: bilingual })).default([]),
  /** What an auditor will ask to see. */
  evidence: bilingualList,
  relatedControls: z.array(z.string()).default([]),
  keywords: bilingualList,
});

export const topic = z.strictObject({
  id: z.string().regex(/^TOPIC-[a-z0-9-]+$/, 'must look like TOPIC-licence-public'),
  title: bilingual,
  sections: z.array(z.strictObject({ heading: bilingual, body: bilingual })).min(1),
  controls: z.array(z.string()).min(1, 'a topic cites at least one control'),
  keywords: bilingualList,
});

export const glossaryEntry = z.strictObject({
  ja: nonEmpty,
  en: nonEmpty,
  /** Other ways to say it, e.g. 適用性宣言書 for 適用宣言書, or SoA. */
  aliases: z.strictObject({ ja: z.array(nonEmpty), en: z.array(nonEmpty) }).default({ ja: [], en: [] }),
  controls: z.array(z.string()).default([]),
});

export const role = z.enum(['customer', 'provider']);
export const serviceModel = z.enum(['IaaS', 'PaaS', 'SaaS']);

export const risk = z.strictObject({
  id: z.string().regex(/^RL-\d{2}$/, 'must look like RL-01'),
  title: bilingual,
  description: bilingual,
  cia: z.strictObject({ confidentiality: z.boolean(), integrity: z.boolean(), availability: z.boolean() }),
  roles: z.array(role).min(1),
  serviceModels: z.array(serviceModel).min(1),
  controls: z.array(z.string()).min(1, 'a risk is treated by at least one control'),
});

/** ISO/IEC 27002:2022 attribute values (its clause 4.2), spelled as the standard's attribute table does. */
export const attributeValues = {
  controlType: ['Preventive', 'Detective', 'Corrective'],
  properties: ['Confidentiality', 'Integrity', 'Availability'],
  concepts: ['Identify', 'Protect', 'Detect', 'Respond', 'Recover'],
  capabilities: [
    'Governance', 'Asset_management', 'Information_protection', 'Human_resource_security', 'Physical_security',
    'System_and_network_security', 'Application_security', 'Secure_configuration', 'Identity_and_access_management',
    'Threat_and_vulnerability_management', 'Continuity', 'Supplier_relationships_security', 'Legal_and_compliance',
    'Information_security_event_management', 'Information_security_assurance',
  ],
  domains: ['Governance_and_Ecosystem', 'Protection', 'Defence', 'Resilience'],
} as const;
const attributeList = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).min(1, 'needs at least one value');

export const annex2022IdPattern = /^[5-8]\.\d{1,2}$/;

/** One ISO/IEC 27001:2022 Annex A control (JIS Q 27001:2023). */
export const annex2022Control = z.strictObject({
  id: z.string().regex(annex2022IdPattern, 'must look like 5.23'),
  theme: z.enum(['organizational', 'people', 'physical', 'technological']),
  title: bilingual,
  summary: bilingual,
  attributes: z.strictObject({
    controlType: attributeList(attributeValues.controlType),
    properties: attributeList(attributeValues.properties),
    concepts: attributeList(attributeValues.concepts),
    capabilities: attributeList(attributeValues.capabilities),
    domains: attributeList(attributeValues.domains),
  }),
  /** The ISO/IEC 27002:2013 controls that map onto this one: the reverse of their iso27001_2022 fields. */
  from2013: z.array(z.string().regex(controlIdPattern, 'must look like 12.3.1')),
  /** New in 2022: no 2013 control maps onto it. */
  isNew: z.boolean(),
  /** The ISO/IEC 27017 cloud items (extended 27002 controls and CLD controls) that bear on this control. */
  cloud: z.array(z.string().regex(/^(?:CLD\.)?\d{1,2}\.\d{1,2}\.\d{1,2}$/, 'must look like 12.3.1 or CLD.9.5.1')),
  keywords: bilingualList,
});

/** Who carries a control in one service model: the customer, the provider, or both (shared). */
export const actor = z.enum(['customer', 'provider', 'shared']);

/** One control's split of duties (責任分界) in one service model: who acts, and one sentence for each role. */
export const responsibilityCell = z.strictObject({
  actor,
  customer: bilingual,
  provider: bilingual,
});

/** A row of the responsibility matrix: a control (2013 or CLD ID) in IaaS, PaaS and SaaS. */
export const responsibilityRow = z.strictObject({
  control: z.string().regex(/^(?:CLD\.)?\d{1,2}\.\d{1,2}\.\d{1,2}$/, 'must look like 12.6.1 or CLD.9.5.1'),
  models: z.strictObject({ IaaS: responsibilityCell, PaaS: responsibilityCell, SaaS: responsibilityCell }),
});

/** A cloud product people name in questions ("EC2", "M365"): its service model and the words of ours it stands for. */
export const product = z.strictObject({
  name: nonEmpty,
  vendor: nonEmpty,
  model: z.enum(['IaaS', 'PaaS', 'SaaS']),
  /** Lower-case spellings matched as whole words (ASCII) or substrings (Japanese). */
  aliases: z.array(nonEmpty).min(1),
  terms: bilingualList,
});

/** Synonym groups (Sudachi, WordNet) that carry everyday words to the corpus's words; see scripts/build-synonyms.ts. */
export const synonymsFile = z.array(z.array(nonEmpty).min(2, 'a group needs at least two words'));

export const cldFile = z.array(cldControl);
export const productsFile = z.array(product);
export const responsibilityFile = z.array(responsibilityRow);
export const annex2022File = z.array(annex2022Control);
export const requirementsFile = z.array(requirement);
export const topicsFile = z.array(topic);
export const glossaryFile = z.array(glossaryEntry);
export const risksFile = z.array(risk);

export type Control = z.infer<typeof control>;
export type Category = z.infer<typeof category>;
export type ClauseFile = z.infer<typeof clauseFile>;
export type CldControl = z.infer<typeof cldControl>;
export type Requirement = z.infer<typeof requirement>;
export type Topic = z.infer<typeof topic>;
export type GlossaryEntry = z.infer<typeof glossaryEntry>;
export type RiskScenario = z.infer<typeof risk>;
export type Mapping2022 = z.infer<typeof mapping2022>;
export type Annex2022Control = z.infer<typeof annex2022Control>;
export type ResponsibilityRow = z.infer<typeof responsibilityRow>;
export type Actor = z.infer<typeof actor>;
export type Product = z.infer<typeof product>;
export type Role = z.infer<typeof role>;
export type ServiceModel = z.infer<typeof serviceModel>;

const fitScore = z.number().int().min(1).max(5);
/**
 * risk-fit.json: how each library risk fits a service (typical likelihood and impact, a prior for how often it matters,
 * tags, products and asset words that raise it, and a short "because"); see src/assessment/rank.ts.
 */
export const riskFitFile = z.array(z.strictObject({
  id: z.string().regex(/^RL-\d{2}$/, 'an ID like RL-14'),
  likelihood: fitScore,
  impact: fitScore,
  prior: z.number().min(0).max(3),
  tags: z.array(z.enum(['platform', 'multiTenant'])),
  products: z.array(z.string().min(1)),
  words: z.array(z.string().min(1)),
  because: z.strictObject({ en: z.string().trim().min(1), ja: z.string().trim().min(1) }),
}));
export type RiskFit = z.infer<typeof riskFitFile>[number];
