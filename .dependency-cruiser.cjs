/**
 * Architecture boundaries for faxd (run: `npx depcruise src --config .dependency-cruiser.cjs`).
 *
 * Allowed import arrows between the folders under src/:
 *
 *   main.ts, cli/**  ->  anything in src
 *   api/**           ->  use-cases, domain, shared      (never storage)
 *   use-cases/**     ->  domain, shared
 *   storage/**       ->  domain, shared
 *   domain/**        ->  shared                          (and no node:* builtins)
 *   jobs/**          ->  use-cases, domain, shared       (workers run use cases for due jobs)
 *   webhooks/**      ->  domain, shared                  (webhook delivery: SSRF guard, HTTP, signing)
 *   client/**        ->  shared                          (the API over HTTP, as `faxd send` reaches it)
 *   rendering/**     ->  codec, sandbox, domain, shared  (documents -> bilevel pages)
 *   sandbox/**       ->  shared                          (confining untrusted work: bubblewrap)
 *   reports/**       ->  codec, header-line, domain, shared (fax PDFs, confirmation reports)
 *   header-line/**   ->  codec, domain, shared           (the header line drawn on pages)
 *   carriers/**      ->  telephony, codec, header-line, domain, shared (the Carrier port)
 *   telephony/t30/** ->  codec, shared                   (the T.30 engine: pure, time is an input)
 *   telephony/t38/** ->  telephony/t30, shared           (IFP, UDPTL, the T.38 terminal: pure)
 *   telephony/net/** ->  shared                          (datagrams: UDP sockets, the impaired network)
 *   telephony/sip/** ->  shared                          (SIP messages, SDP, transactions: sans I/O)
 *   codec/**         ->  shared                          (pure: no node:* builtins, no npm)
 *   shared/**        ->  nothing else in src
 *
 * Within a folder, files may import each other freely. npm packages are not
 * restricted here (except that nothing may import something that does not
 * resolve). No cycles anywhere; src never imports from test/ or bench/.
 *
 * Type-only imports count too (tsPreCompilationDeps: true): a layer must not
 * even name the types of a layer it may not depend on.
 */

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies are not allowed anywhere.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-test-or-bench',
      severity: 'error',
      comment: 'Production code (src/) must never import from test/ or bench/.',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'api-boundaries',
      severity: 'error',
      comment:
        'src/api may only import from src/api, src/use-cases, src/domain and src/shared (no storage).',
      from: { path: '^src/api/' },
      to: { path: '^src/', pathNot: '^src/(api|use-cases|domain|shared)/' },
    },
    {
      name: 'use-cases-boundaries',
      severity: 'error',
      comment: 'src/use-cases may only import from src/use-cases, src/domain and src/shared.',
      from: { path: '^src/use-cases/' },
      to: { path: '^src/', pathNot: '^src/(use-cases|domain|shared)/' },
    },
    {
      name: 'storage-boundaries',
      severity: 'error',
      comment: 'src/storage may only import from src/storage, src/domain and src/shared.',
      from: { path: '^src/storage/' },
      to: { path: '^src/', pathNot: '^src/(storage|domain|shared)/' },
    },
    {
      name: 'domain-boundaries',
      severity: 'error',
      comment: 'src/domain may only import from src/domain and src/shared.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(domain|shared)/' },
    },
    {
      name: 'domain-no-node-builtins',
      severity: 'error',
      comment:
        'src/domain is pure: no node:* (or bare core module) imports, not even type-only ones.',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'jobs-boundaries',
      severity: 'error',
      comment: 'src/jobs may only import from src/jobs, src/use-cases, src/domain and src/shared.',
      from: { path: '^src/jobs/' },
      to: { path: '^src/', pathNot: '^src/(jobs|use-cases|domain|shared)/' },
    },
    {
      name: 'webhooks-boundaries',
      severity: 'error',
      comment:
        'src/webhooks (webhook delivery) may only import from src/webhooks, src/domain and src/shared.',
      from: { path: '^src/webhooks/' },
      to: { path: '^src/', pathNot: '^src/(webhooks|domain|shared)/' },
    },
    {
      name: 'client-boundaries',
      severity: 'error',
      comment:
        'src/client speaks to a faxd server over HTTP like any other client: it may only import from src/client and src/shared.',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/(client|shared)/' },
    },
    {
      name: 'observability-boundaries',
      severity: 'error',
      comment:
        'src/observability (metrics) may only import from src/observability, src/domain and src/shared: the parts that do the work report to it through callbacks the composition root connects.',
      from: { path: '^src/observability/' },
      to: { path: '^src/', pathNot: '^src/(observability|domain|shared)/' },
    },
    {
      name: 'rendering-boundaries',
      severity: 'error',
      comment:
        'src/rendering may only import from src/rendering, src/codec, src/sandbox, src/domain and src/shared.',
      from: { path: '^src/rendering/' },
      to: { path: '^src/', pathNot: '^src/(rendering|codec|sandbox|domain|shared)/' },
    },
    {
      name: 'sandbox-boundaries',
      severity: 'error',
      comment:
        'src/sandbox (confining untrusted work) may only import from src/sandbox and src/shared.',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: '^src/(sandbox|shared)/' },
    },
    {
      name: 'carriers-boundaries',
      severity: 'error',
      comment:
        'src/carriers may only import from src/carriers, src/telephony, src/codec, src/header-line, src/domain and src/shared.',
      from: { path: '^src/carriers/' },
      to: { path: '^src/', pathNot: '^src/(carriers|telephony|codec|header-line|domain|shared)/' },
    },
    {
      name: 't30-boundaries',
      severity: 'error',
      comment:
        'src/telephony/t30 (the T.30 engine) may only import from src/telephony/t30, src/codec and src/shared.',
      from: { path: '^src/telephony/t30/' },
      to: { path: '^src/', pathNot: '^src/(telephony/t30|codec|shared)/' },
    },
    {
      name: 't38-boundaries',
      severity: 'error',
      comment:
        'src/telephony/t38 (IFP, UDPTL, the T.38 terminal) may only import from src/telephony/t38, src/telephony/t30 and src/shared.',
      from: { path: '^src/telephony/t38/' },
      to: { path: '^src/', pathNot: '^src/(telephony/t38|telephony/t30|shared)/' },
    },
    {
      name: 'net-boundaries',
      severity: 'error',
      comment:
        'src/telephony/net (UDP sockets, the impaired network) may only import from itself and src/shared.',
      from: { path: '^src/telephony/net/' },
      to: { path: '^src/', pathNot: '^src/(telephony/net|shared)/' },
    },
    {
      name: 'sip-boundaries',
      severity: 'error',
      comment:
        'src/telephony/sip (SIP messages, SDP, transactions) may only import from itself and src/shared.',
      from: { path: '^src/telephony/sip/' },
      to: { path: '^src/', pathNot: '^src/(telephony/sip|shared)/' },
    },
    {
      name: 'sip-no-io',
      severity: 'error',
      comment:
        'src/telephony/sip does no I/O: no npm packages, and of node:* only node:crypto (digest hashes).',
      from: { path: '^src/telephony/sip/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'],
        pathNot: '^(node:)?crypto$',
      },
    },
    {
      name: 'protocol-engines-pure',
      severity: 'error',
      comment:
        'The protocol engines do no I/O: no node:* builtins and no npm packages in src/telephony/t30 or t38.',
      from: { path: '^src/telephony/(t30|t38)/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'] },
    },
    {
      name: 'reports-boundaries',
      severity: 'error',
      comment:
        'src/reports (fax PDFs, confirmation reports) may only import from src/reports, src/codec, src/header-line, src/domain and src/shared.',
      from: { path: '^src/reports/' },
      to: { path: '^src/', pathNot: '^src/(reports|codec|header-line|domain|shared)/' },
    },
    {
      name: 'header-line-boundaries',
      severity: 'error',
      comment:
        'src/header-line (drawing the header line on bilevel pages) may only import from src/header-line, src/codec, src/domain and src/shared.',
      from: { path: '^src/header-line/' },
      to: { path: '^src/', pathNot: '^src/(header-line|codec|domain|shared)/' },
    },
    {
      name: 'codec-boundaries',
      severity: 'error',
      comment: 'src/codec (T.4/T.6, TIFF-F) may only import from src/codec and src/shared.',
      from: { path: '^src/codec/' },
      to: { path: '^src/', pathNot: '^src/(codec|shared)/' },
    },
    {
      name: 'codec-pure',
      severity: 'error',
      comment: 'src/codec is pure: bitmaps in, bytes out. No node:* builtins and no npm packages.',
      from: { path: '^src/codec/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'] },
    },
    {
      name: 'shared-boundaries',
      severity: 'error',
      comment: 'src/shared is the bottom layer: it may not import anything else in src.',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import must resolve to a file or an installed package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],

  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^dist/', '^data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
}
