// The JSON the API serves about formats (src/http/routes/package-formats-routes.ts). No imports:
// the web UI compiles against these types too.

/** One step to copy: GitLab's package page shows a title and a command per step. */
export interface InstructionStep {
  title: string;
  command: string;
}

/** GET /api/v4/package_formats: a format Trove serves. */
export interface FormatSummary {
  /** package_type / package_format values. */
  name: string;
  display_name: string;
}

/** GET /api/v4/projects/:id/package_formats: a format and how to publish into this project with it. */
export interface FormatPublishInstructions extends FormatSummary {
  publish: InstructionStep[];
}

/** GET /api/v4/projects/:id/packages/:package_id/instructions: how to install this version. */
export interface PackageInstallInstructions {
  package_type: string;
  display_name: string;
  install: InstructionStep[];
}
