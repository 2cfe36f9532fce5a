/**
 * Kind configs tests feed to the dev planners and doctor checks.
 */

/** Kamerplanter's upstream kind config: it publishes the app ports that Skaffold also forwards. */
export const UPSTREAM_KIND_CONFIG = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    extraPortMappings:
      - {containerPort: 80, hostPort: 80}
      - {containerPort: 443, hostPort: 443}
      - {containerPort: 30800, hostPort: 8000}
      - {containerPort: 30300, hostPort: 3000}
      - {containerPort: 30529, hostPort: 8529}
  - role: worker
  - role: worker
`;
