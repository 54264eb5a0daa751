import { ordersAndWishlist } from './families/orders-and-wishlist.ts';
import { propertyTest } from './suite.ts';

propertyTest(ordersAndWishlist);
