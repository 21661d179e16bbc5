// Architectural boundaries, enforced by @nx/enforce-module-boundaries on every lint run.
// Services are deployables and never import each other; libs never import services; services
// never touch kafkajs, so every message goes through the Kafka lib's one codec, one set of trace
// headers and one retry/DLQ policy. Test support is for tests only.

const productionConstraints = [
  {
    sourceTag: 'type:service',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'],
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
    // Local infrastructure tooling; it checks the broker it starts with a plain kafkajs admin.
    sourceTag: 'type:infra',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'],
  },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:infra'],
  },
  {
    // Black-box tests drive services as processes; they never import them.
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing', 'type:infra'],
  },
];

function boundaries(depConstraints) {
  return { enforceBuildableLibDependency: false, allow: [], depConstraints };
}

/** For production sources. */
export const moduleBoundaries = boundaries(productionConstraints);

/** For test files (`test/**`, `*.spec.ts`): the same, plus the shared test support. */
export const testModuleBoundaries = boundaries(
  productionConstraints.map((constraint) =>
    ['type:service', 'type:lib', 'type:infra'].includes(constraint.sourceTag)
      ? {
          ...constraint,
          onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'],
        }
      : constraint,
  ),
);
