/** One line of `kp doctor`: what was checked, how it went, and what to do about it. */
export interface DoctorCheck {
  /** Short name, e.g. `docker daemon`, `kind`, `port 8080`. */
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** A failing required check makes `kp doctor` exit non-zero. */
  required: boolean;
  /** What was found (version, holder of a port, ...). */
  detail: string;
  /** What to do when the status is not ok. */
  hint?: string;
}
