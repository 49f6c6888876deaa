public enum ServiceDeskPlaceholder {}
