// Architectural boundaries, enforced by @nx/enforce-module-boundaries on every lint run.
// Services are deployables and never import each other; libs never import services; only the
// shared Kafka lib may touch kafkajs, so every message goes through one codec, one set of trace
// headers and one retry/DLQ policy.
export const moduleBoundaries = {
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints: [
    {
      sourceTag: 'type:service',
      onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'],
      bannedExternalImports: ['kafkajs'],
    },
    {
      sourceTag: 'type:lib',
      onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'],
    },
    {
      sourceTag: 'type:contracts',
      onlyDependOnLibsWithTags: ['type:contracts'],
    },
    {
      sourceTag: 'type:infra',
      onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'],
      bannedExternalImports: ['kafkajs'],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:infra'],
    },
    {
      sourceTag: 'type:e2e',
      onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing', 'type:infra'],
    },
  ],
};
