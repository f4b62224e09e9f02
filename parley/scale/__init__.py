"""Scale-out: extraction on a Dask cluster, writing into one shared store.

    from parley.scale import extract_on_cluster
    from parley.store import open_store
    with open_store("postgresql+psycopg://parley@db/ledger") as store:
        report = extract_on_cluster(store, workers=4)                 # a LocalCluster of 4 processes
        report = extract_on_cluster(store, scheduler="tcp://head:8786")   # an existing cluster

:mod:`~parley.scale.runner` owns the run (the one orchestration entry point), :mod:`~parley.scale.worker`
what runs on a worker, :mod:`~parley.scale.cluster` how a cluster is started or joined. How to run
Parley on several machines: docs/scale.md.
"""
from .cluster import Cluster, start_cluster
from .runner import PARTITION_SIZE, ClusterRunReport, extract_on_cluster
from .worker import ExtractorSpec, PartitionResult

__all__ = ["PARTITION_SIZE", "Cluster", "ClusterRunReport", "ExtractorSpec", "PartitionResult",
           "extract_on_cluster", "start_cluster"]
