/**
 * Kubernetes' documented scalability thresholds ("Considerations for large clusters",
 * kubernetes.io/docs/setup/best-practices/cluster-large/): a cluster is designed for no more than
 * 5,000 nodes and no more than 150,000 pods in total. A scenario beyond them describes no cluster
 * Kubernetes supports, and would only make the run absurdly long.
 */
export const MAX_CLUSTER_PODS = 150_000;
export const MAX_CLUSTER_NODES = 5_000;

export const PODS_LIMIT_TEXT = "Kubernetes' documented limit of 150,000 pods per cluster";
export const NODES_LIMIT_TEXT = "Kubernetes' documented limit of 5,000 nodes per cluster";
