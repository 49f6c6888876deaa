public enum ReplicationPlaceholder {}
