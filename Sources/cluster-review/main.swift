// cluster-review
