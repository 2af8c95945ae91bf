"""Text cleaning: furniture, credit lines, datelines, segmentation."""
